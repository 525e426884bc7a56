"""A compacted raw topic, whose offsets have holes, is consumed to the end (real broker, real cleaner).

Compaction removes older records of a key but never renumbers the rest, so offsets that hold no
record are left behind. With Faust's gap filling off (our default: workers/runtime/faust_fixes.py),
a hole used to stop the partition's commit for good, and the stuck-head healer re-read the
partition from it again and again. This makes the broker compact a topic, checks that the holes are
there, and runs a worker over it.
"""

from __future__ import annotations

import random
import time
from collections import Counter

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from aiokafka.structs import TopicPartition

from tests.support.kafka import produce, run
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
from workers.settings import Settings

pytestmark = pytest.mark.e2e

PARTITIONS = 2
KEYS = 16
ROUNDS = 12  # key k is written in rounds 0..k: compaction keeps the newest of each (and the uncompacted
# tail), so the survivors lie all over the log, with holes before, between and after them
WORDS = ("council", "harbour", "budget", "railway", "station", "library", "museum", "weather", "market", "school",
         "hospital", "bridge", "river", "festival", "tram", "ferry", "square", "garden", "theatre", "stadium")
# Aggressive compaction: short segments, so most of the log is in closed segments the cleaner
# compacts at its next pass (the broker's log.cleaner.backoff.ms, 15 s by default).
COMPACTED = {"cleanup.policy": "compact", "segment.ms": "100", "segment.bytes": "4096",
             "min.cleanable.dirty.ratio": "0.01", "delete.retention.ms": "100", "min.compaction.lag.ms": "0",
             "max.message.bytes": str(MAX_MESSAGE_BYTES)}


def version(key: int, round_: int, rng: random.Random) -> bytes:
    """One version of an article; its URL names the version, and the extract stage keeps the URL."""
    text = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(3))
    return orjson.dumps({"id": f"story-{key}", "url": f"https://news.example.com/story-{key}/v{round_}",
                         "text": text})


async def create_compacted(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(settings.topic_raw, PARTITIONS, settings.topic_replication,
                                            topic_configs=COMPACTED)])
    finally:
        await admin.close()


async def read_log(settings: Settings, topic: str,
                   partitions: int) -> tuple[dict[int, list[tuple[int, bytes]]], dict[int, tuple[int, int]]]:
    """Every record of `topic` as partition -> [(offset, value)], and each partition's (start, end) offsets."""
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None, enable_auto_commit=False,
                                fetch_max_bytes=MAX_MESSAGE_BYTES)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        log: dict[int, list[tuple[int, bytes]]] = {tp.partition: [] for tp in tps}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all([await consumer.position(tp) >= ends[tp] for tp in tps]):
                break
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                log[tp.partition].extend((r.offset, r.value) for r in records if r.offset < ends[tp])
        return log, {tp.partition: (starts[tp], ends[tp]) for tp in tps}
    finally:
        await consumer.stop()


def holes(log: dict[int, list[tuple[int, bytes]]], bounds: dict[int, tuple[int, int]]) -> int:
    """Offsets between each partition's log start and its end offset that hold no record."""
    return sum(end - start - len(log[p]) for p, (start, end) in bounds.items())


async def committed(settings: Settings) -> dict[int, int | None]:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.app_id)
    except KafkaError:  # the group coordinator is not up yet (a fresh broker): nothing committed to see
        return {}
    finally:
        await admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == settings.topic_raw}


def test_a_compacted_topic_with_holes_is_consumed_to_the_end(pipeline_settings: Settings, start_worker) -> None:
    settings = pipeline_settings
    run(create_compacted(settings))
    rng = random.Random(16)
    for round_ in range(ROUNDS):
        run(produce(settings, [version(key, round_, rng) for key in range(KEYS) if key >= round_]))
        time.sleep(0.2)  # past segment.ms: the next append rolls a new segment
    deadline = time.monotonic() + 150
    while True:  # wait for the cleaner (its passes are 15 s apart by default)
        log, bounds = run(read_log(settings, settings.topic_raw, PARTITIONS))
        interior = [o for records in log.values() for o, _ in records[1:]] != [
            o + 1 for records in log.values() for o, _ in records[:-1]]
        if interior or time.monotonic() > deadline:
            break
        time.sleep(3)
    produced = sum(1 for round_ in range(ROUNDS) for key in range(KEYS) if key >= round_)
    ends = {p: end for p, (_, end) in bounds.items()}
    surviving = [(p, offset, orjson.loads(value)) for p, records in log.items() for offset, value in records]
    assert interior, f"the broker left no hole between two records of {settings.topic_raw} within 150 s"
    assert len(surviving) < produced
    assert {r["id"] for _, _, r in surviving} == {f"story-{k}" for k in range(KEYS)}

    worker = start_worker(stages="extract")
    deadline, done = time.monotonic() + 240, {}
    while time.monotonic() < deadline:
        done = run(committed(settings))
        if all(done.get(p) == end for p, end in ends.items()):
            break
        time.sleep(2)
    assert all(done.get(p) == end for p, end in ends.items()), (
        f"the group's commit did not reach the end offsets {ends} within 240 s: committed {done} "
        f"({holes(log, bounds)} offsets without a record among {sum(ends.values())})")

    outputs, _ = run(read_log(settings, settings.topic_extracted, settings.topic_partitions))
    dead, _ = run(read_log(settings, settings.topic_deadletter, settings.topic_partitions))
    seen = Counter((event["id"], event["url"]) for records in outputs.values()
                   for event in (orjson.loads(value) for _, value in records))
    assert not any(dead.values()), "a surviving record was dead-lettered"
    # The cleaner keeps compacting while the worker reads, so a record seen before the worker started
    # may be gone before the worker reached it. What is still in the log now was there all along
    # (compaction only removes): each of those must have an outcome.
    final_log, _ = run(read_log(settings, settings.topic_raw, PARTITIONS))
    still_there = [orjson.loads(value) for records in final_log.values() for _, value in records]
    assert {r["id"] for r in still_there} == {f"story-{k}" for k in range(KEYS)}, "compaction keeps each key's newest"
    missing = [(r["id"], r["url"]) for r in still_there if (r["id"], r["url"]) not in seen]
    assert not missing, f"records that survived compaction got no outcome: {missing[:5]}"
    assert set(seen) <= {(r["id"], r["url"]) for _, _, r in surviving}, "an outcome for a record compaction removed"
    # each version has its own URL: a count above 1 is a redelivery (bounded: a rebalance at start
    # may re-deliver once; a partition re-read from a hole again and again would not stay below 2)
    again = {record: n for record, n in seen.items() if n > 1}
    assert max(seen.values()) <= 2, f"records were read more than twice: {dict(list(again.items())[:5])}"
    assert "re-reading" not in worker.log(), "a partition was re-read from a head that holds no record"
