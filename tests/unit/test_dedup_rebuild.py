"""The takeover rebuild computes every record's anchors at once; they must be the anchors one
`Sketch.anchors` call per record gives, or a worker that took the index over would judge differently."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import orjson
import pytest

from bench.devdata import rows
from workers.records import Article
from workers.stages.dedup import DedupConfig, DedupIndex, prepare, stage
from workers.stages.dedup.sketch import Sketch, SketchConfig, segment_anchors

CFG = SketchConfig()


def test_anchors_of_many_sketches_at_once_equal_one_sketch_at_a_time() -> None:
    rng = np.random.default_rng(7)
    leads, samples = [], []
    for i in range(600):
        # small value ranges make repeats within a lead and between lead and sample (np.unique's job)
        top = 40 if i % 3 == 0 else 2**32 - 1
        leads.append(rng.integers(0, top, int(rng.integers(0, 70)), dtype=np.uint64).astype(np.uint32))
        samples.append(rng.integers(0, top, int(rng.integers(0, 100)), dtype=np.uint64).astype(np.uint32))
    sketch_ids = np.arange(len(leads))
    anchors, owner = segment_anchors(
        np.concatenate(leads), np.repeat(sketch_ids, [len(x) for x in leads]),
        np.concatenate(samples), np.repeat(sketch_ids, [len(x) for x in samples]), CFG)
    assert (np.diff(owner) >= 0).all()
    for i, (lead, sample) in enumerate(zip(leads, samples, strict=True)):
        assert np.array_equal(anchors[owner == i], Sketch(0, lead, sample, 0).anchors(CFG)), i
    assert set(owner.tolist()) == {i for i, (lead, sample) in enumerate(zip(leads, samples, strict=True))
                                   if len(lead) or len(sample)}


def test_no_sketches_no_anchors() -> None:
    empty = np.empty(0, np.uint32)
    none = np.empty(0, np.int64)
    anchors, owner = segment_anchors(empty, none, empty, none, CFG)
    assert len(anchors) == 0
    assert len(owner) == 0


def test_a_rebuild_in_small_chunks_judges_like_the_index_that_never_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    bodies = [row["expected_body"] for row in rows("extraction_fundus_eval.jsonl.gz")][:40]
    stream = []
    for i, body in enumerate(bodies):
        stream.append(Article(id=f"o{i}", text=body, published_at="2026-01-10T08:00:00Z"))
        sentences = body.split(". ")
        stream.append(Article(id=f"c{i}", text=". ".join(s for s in sentences if rng.random() > 0.3),
                              published_at="2026-01-10T09:00:00Z"))
    rng.shuffle(stream)
    cfg = DedupConfig()
    half = len(stream) // 2
    straight = DedupIndex({}, cfg)
    expected = [orjson.loads(v) for v in straight.judge([prepare(a, cfg) for a in stream])]
    store: dict[str, Any] = {}
    DedupIndex(store, cfg).judge([prepare(a, cfg) for a in stream[:half]])
    monkeypatch.setattr(stage, "REBUILD_CHUNK", 7)  # several chunks, the last one short
    taken_over = DedupIndex(store, cfg)
    got = [orjson.loads(v) for v in taken_over.judge([prepare(a, cfg) for a in stream[half:]])]
    assert got == expected[half:]
    assert sum(v["status"] == "near" for v in got) >= 5
