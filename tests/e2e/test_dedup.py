"""Dedup on the real broker: two workers, copies on different partitions, SIGKILL and restart.

Only the dedup stage runs (articles go straight to the tagged topic), so these tests pay for
Kafka and the index, not for extraction or tagging.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from bench.dedup_devset import _paragraphs, _sentences
from bench.devdata import rows, seed_paths
from tests.support.kafka import collect, run
from workers.cli.inputs import file_records
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.records import Article, decode_raw
from workers.settings import Settings
from workers.topics import ensure_topics

pytestmark = pytest.mark.e2e

PARTITIONS = 4


def bodies(count: int) -> list[str]:
    """Real, distinct article bodies (Fundus annotations), long enough to copy and cut."""
    out = [r["expected_body"] for r in rows("extraction_fundus_eval.jsonl.gz") if len(r["expected_body"]) > 1500]
    return out[:count]


def rewrite(text: str, rng: random.Random) -> str:
    """A syndicated copy: a fifth of the sentences dropped, a new first line, a sign-off."""
    sentences = [s for p in _paragraphs(text) for s in _sentences(p)]
    kept = [s for s in sentences if rng.random() > 0.2]
    return "Breaking news from our partners\n\n" + " ".join(kept) + "\n\n(c) Syndicated copy, all rights reserved"


def article(id_: str, text: str, published: str = "2026-01-10T08:00:00Z") -> Article:
    return Article(id=id_, text=text, published_at=published)


async def send(settings: Settings, placed: Iterable[tuple[int, Article]]) -> None:
    """Send articles to the tagged topic, each to the partition given (the key stays the article id)."""
    await ensure_topics(settings)
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", max_request_size=MAX_MESSAGE_BYTES)
    async with started(producer):
        for partition, art in placed:
            await producer.send_and_wait(settings.topic_tagged, key=art.id.encode(), value=art.to_bytes(),
                                         partition=partition)


def assigned(log: str, topic: str) -> set[int]:
    """Partitions of `topic` in the last assignment table a Faust worker logged, e.g. `{0-1, 3}`."""
    tables = [line for line in log.splitlines() if line.startswith(f"| {topic} ")]
    if not tables:
        return set()
    out: set[int] = set()
    for part in tables[-1].split("|")[2].strip(" {}").split(","):
        low, _, high = part.strip().partition("-")
        out.update(range(int(low), int(high or low) + 1))
    return out


def collect_ids(settings: Settings, ids: set[str], timeout: float) -> list[dict[str, Any]]:
    """Every event on the enriched topic once all of `ids` are there (re-deliveries included)."""
    deadline = time.monotonic() + timeout
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        events = run(collect(settings, settings.topic_enriched, count=10**6, timeout=4))
        if ids <= {e["id"] for e in events}:
            return events
    missing = ids - {e["id"] for e in events}
    raise AssertionError(f"no event for {sorted(missing)} within {timeout} s")


def by_id(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e["duplicate"] for e in events}


def test_near_copies_on_other_partitions_are_found_by_two_workers(pipeline_settings: Settings, start_worker) -> None:
    assert pipeline_settings.topic_partitions == PARTITIONS
    rng = random.Random(5)
    texts = bodies(6)
    originals = [article(f"orig-{i}", t) for i, t in enumerate(texts)]
    copies = [article(f"copy-{i}", rewrite(t, rng), "2026-01-10T09:00:00Z") for i, t in enumerate(texts)]
    seeds = [decode_raw(r, max_bytes=10**7) for p in seed_paths() for r in file_records(p)]
    seed_articles = [article(s.id, s.text or "") for s in seeds]  # same day as the others: inside the window
    workers = [start_worker(stages="dedup", name="a"), start_worker(stages="dedup", name="b")]
    for worker in workers:
        assert worker.wait_for_log("Ready", timeout=90), worker.log()[-3000:]

    # original i on partition i % 4, its copy on the next partition: never the same one
    run(send(pipeline_settings, [(i % PARTITIONS, a) for i, a in enumerate(originals)]))
    run(send(pipeline_settings, [(0, seed_articles[0])]))
    run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=len(originals) + 1, timeout=120))
    run(send(pipeline_settings, [((i + 1) % PARTITIONS, a) for i, a in enumerate(copies)]))
    run(send(pipeline_settings, [(3, seed_articles[1])]))

    verdicts = by_id(run(collect(pipeline_settings, pipeline_settings.topic_enriched,
                                 count=2 * len(originals) + 2, timeout=120)))

    assert all(w.alive for w in workers)
    owners = [assigned(w.log(), pipeline_settings.topic_tagged) for w in workers]
    assert owners[0], owners  # both workers took input
    assert owners[1], owners
    assert not owners[0] & owners[1], owners
    crossed = sum(any({i % PARTITIONS, (i + 1) % PARTITIONS} <= o for o in owners) is False
                  for i in range(len(originals)))
    assert crossed >= 1, owners  # at least one original and its copy came in through different workers
    for i in range(len(originals)):
        assert verdicts[f"orig-{i}"]["status"] == "unique"
        assert verdicts[f"copy-{i}"]["status"] == "near", verdicts[f"copy-{i}"]
        assert verdicts[f"copy-{i}"]["of"] == f"orig-{i}"
        assert verdicts[f"copy-{i}"]["cluster_id"] == verdicts[f"orig-{i}"]["cluster_id"]
    assert len({verdicts[f"orig-{i}"]["cluster_id"] for i in range(len(originals))}) == len(originals)
    first, second = seed_articles
    assert verdicts[first.id]["status"] == "unique"
    assert (verdicts[second.id]["status"], verdicts[second.id]["of"]) == ("near", first.id)
    assert verdicts[second.id]["cluster_id"] == verdicts[first.id]["cluster_id"]


def test_index_is_recovered_after_sigkill_and_old_copies_are_still_found(pipeline_settings: Settings,
                                                                         start_worker) -> None:
    rng = random.Random(11)
    texts = bodies(8)
    before = [article(f"pre-{i}", t) for i, t in enumerate(texts)]
    worker = start_worker(stages="dedup", name="k")
    run(send(pipeline_settings, [(i % PARTITIONS, a) for i, a in enumerate(before)]))
    first_run = run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=len(before), timeout=120))
    assert {e["duplicate"]["status"] for e in first_run} == {"unique"}

    worker.kill()  # SIGKILL right away: offsets of the last records may not be committed
    worker.start()
    copies = [article(f"post-{i}", rewrite(t, rng), "2026-01-10T10:00:00Z") for i, t in enumerate(texts)]
    run(send(pipeline_settings, [((i + 2) % PARTITIONS, a) for i, a in enumerate(copies)]))
    run(send(pipeline_settings, [(1, before[0])]))  # a re-delivery for sure, whatever was committed

    events = collect_ids(pipeline_settings, {a.id for a in [*before, *copies]}, timeout=150)

    after = by_id(events)
    for i in range(len(before)):
        assert after[f"post-{i}"]["status"] == "near", after[f"post-{i}"]
        assert after[f"post-{i}"]["of"] == f"pre-{i}"
        assert after[f"post-{i}"]["cluster_id"] == f"pre-{i}"
    # at-least-once: a pre-kill record processed again keeps its first verdict, never a copy of itself
    assert sum(e["id"] == "pre-0" for e in events) >= 2
    for event in events:
        if event["id"].startswith("pre-"):
            assert event["duplicate"] == {"status": "unique", "of": None, "similarity": None,
                                          "cluster_id": event["id"]}


def test_worker_with_an_empty_data_dir_rebuilds_the_index_from_the_changelog(pipeline_settings: Settings,
                                                                             start_worker) -> None:
    texts = bodies(3)
    first = start_worker(stages="dedup", name="old")
    run(send(pipeline_settings, [(i, article(f"a-{i}", t)) for i, t in enumerate(texts)]))
    run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=len(texts), timeout=120))
    first.stop()  # a clean leave (a kill is the test above); the group need not wait for its session to expire

    start_worker(stages="dedup", name="fresh")  # new data dir: no RocksDB files, only the changelog
    run(send(pipeline_settings, [(3 - i, article(f"b-{i}", t + "\n\nUpdated at noon.")) for i, t in enumerate(texts)]))
    events = collect_ids(pipeline_settings, {f"b-{i}" for i in range(len(texts))}, timeout=150)

    verdicts = by_id(events)
    for i in range(len(texts)):
        assert (verdicts[f"b-{i}"]["status"], verdicts[f"b-{i}"]["of"]) == ("near", f"a-{i}")




def test_size_bound_evicts_on_the_faust_table(pipeline_settings: Settings, start_worker) -> None:
    settings = pipeline_settings.model_copy(update={"dedup_max_articles": 3})
    texts = bodies(6)
    start_worker(stages="dedup", name="small", settings=settings)
    # one partition, so the index sees them in this order and s-0 is the oldest arrival
    run(send(settings, [(0, article(f"s-{i}", t)) for i, t in enumerate(texts)]))
    run(collect(settings, settings.topic_enriched, count=len(texts), timeout=120))
    run(send(settings, [(1, article("again-0", texts[0] + "\n\nCorrection appended.")),
                        (2, article("again-5", texts[5] + "\n\nCorrection appended."))]))

    verdicts = by_id(collect_ids(settings, {"again-0", "again-5"}, timeout=90))

    assert verdicts["again-0"]["status"] == "unique"  # s-0 was evicted: over the bound of 3
    assert (verdicts["again-5"]["status"], verdicts["again-5"]["of"]) == ("near", "s-5")
