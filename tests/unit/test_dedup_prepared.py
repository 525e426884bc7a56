"""Prepared records carry the anchors the pool computed; a record an older worker left in the old
layout (no anchors) is still judged, the same way."""

from __future__ import annotations

import struct

import numpy as np
import orjson
import pytest

from workers.records import Article
from workers.stages.dedup import DedupConfig, DedupIndex, Prepared, prepare
from workers.stages.dedup import sketch as sk

CFG = DedupConfig()
BODY = (
    "The regional parliament approved the new budget on Thursday after a debate of eleven hours. "
    "Spending on schools rises by four percent while the road programme is cut by a tenth. "
    "The opposition called the plan a missed chance and promised to take it to the constitutional court. "
    "The finance minister said the deficit would fall below one percent of output by the end of 2027."
)

# the pre-anchor layout, as an older worker wrote it: magic, id len, published, fp, url, full, lead,
# sample, level, head, tail; then id, full, lead, sample, event head, event tail
_V1 = struct.Struct("<4sHdQQIHHBII")


def old_layout(p: Prepared) -> bytes:
    s = p.probe.sketch
    ident = p.id.encode()
    head = _V1.pack(b"DDP1", len(ident), p.published or float("nan"), p.fp, p.url, len(p.probe.full), len(s.lead),
                    len(s.sample), s.level, len(p.event_head), len(p.event_tail))
    return b"".join((head, ident, p.probe.full.astype("<u4").tobytes(), s.lead.astype("<u4").tobytes(),
                     s.sample.astype("<u4").tobytes(), p.event_head, p.event_tail))


def article(id_: str, text: str) -> Article:
    return Article(id=id_, text=text, published_at="2026-03-05T10:00:00Z")


def test_the_anchors_survive_the_trip_to_the_writer() -> None:
    p = prepare(article("a", BODY), CFG)
    back = Prepared.from_bytes(p.to_bytes())
    assert p.anchors is not None
    assert back.anchors is not None
    assert len(back.anchors) > 0
    assert np.array_equal(back.anchors, p.anchors)
    assert np.array_equal(back.anchors, p.probe.sketch.anchors(CFG.sketch))
    assert back.event(b"null") == p.event(b"null")


def test_a_too_short_text_carries_no_anchors() -> None:
    p = prepare(article("s", "Breaking: more soon."), CFG)
    assert p.probe.n < CFG.min_shared
    assert p.anchors is not None
    assert len(p.anchors) == 0


def test_a_record_in_the_old_layout_gets_the_same_verdict() -> None:
    original = prepare(article("o", BODY), CFG)
    lead_copy = prepare(article("c", ". ".join(BODY.split(". ")[:3]) + "."), CFG)
    verdicts = []
    for encode in (Prepared.to_bytes, old_layout):
        index = DedupIndex({}, CFG)
        verdicts.append([orjson.loads(v) for v in index.judge([Prepared.from_bytes(encode(original))])]
                        + [orjson.loads(v) for v in index.judge([Prepared.from_bytes(encode(lead_copy))])])
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][1]["status"] == "near"
    assert verdicts[0][1]["of"] == "o"
    old = Prepared.from_bytes(old_layout(original))
    assert old.anchors is None
    with pytest.raises(ValueError, match="DDP1"):
        old.to_bytes()  # an old record is judged, never forwarded again


def test_other_bytes_are_not_a_prepared_record() -> None:
    with pytest.raises(ValueError, match="not a prepared dedup record"):
        Prepared.from_bytes(sk.pack("x", "x", None, 0, 0, None, b"null"))
