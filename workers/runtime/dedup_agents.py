"""Dedup wiring: sketches in the pool on every input partition, one index writer for all of them.

Two agents:

- `dedup` (on `articles.tagged`, every worker, `pool_workers` actors): takes batches of records,
  has the pool compute shingles, sketch, keys and the event around the verdict
  (`Steps.dedup_prepare`, one pool call per batch), and forwards the prepared records under one
  constant key to the `dedup-index-repartition` topic, one message per batch (`bundles`: more when
  the batch is over 8 MiB), so all of them reach one partition and that partition's consumer pays
  Faust's per-message cost once per message, not per record.
- `dedup-index` (on that topic): the worker that owns its one busy partition also owns that
  partition of the `dedup-index` table (RocksDB + changelog) and is the only writer of the index:
  a copy is compared with every earlier copy whichever input partition or worker either came
  through, with no cross-partition race. It takes each bundle as it arrives (a bundle is a
  batch), looks its records up and updates the index
  (`Steps.dedup_judge`: one table write per changed key per batch, about one per article) and
  routes the enriched events. On a crash or rebalance the partition moves and Faust rebuilds the
  table from its changelog; the writer rebuilds its in-memory postings from the table; a
  re-delivered record gets the verdict stored under its id.

Faust files a table write under the partition of the "current event"; the writer sets it to the
bundle it is judging (`_current`), so every write goes to the one index partition whatever Faust's
iteration left current.
"""

from __future__ import annotations

import struct
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import faust
from faust.streams import _current_event

from workers.kafka import MAX_MESSAGE_BYTES
from workers.runtime.failfast import exit_on_failure
from workers.runtime.steps import Outcome, Steps
from workers.settings import Settings

INDEX_KEY = b"dedup-index"
# Records per pool call. 512 against 128 in bench.dedup_kafka (20,000 records, 2 pool processes,
# interleaved runs on one machine): 892-1,006 records/s (mean 957) against 792-943 (851), event-loop
# CPU 0.65-0.72 ms per article against 0.67-0.76 (1,024: 937/s, 0.72 ms, one run). A quiet stream
# is not held back by it: a batch waits at most BATCH_WAIT to fill.
PREPARE_BATCH = 512
# Seconds a prepare batch waits to fill up: the latency a quiet stream pays.
# Faust's `take_events` wakes every actor this often even with nothing to take: at 0.02 s the five
# actors cost an idle worker 25 ms of event-loop CPU per second, at 0.1 s 6 ms (bench.pipeline's figure).
BATCH_WAIT = 0.1


_BUNDLE = struct.Struct("<I")
BUNDLE_BYTES = MAX_MESSAGE_BYTES // 8  # 8 MiB: far below the topic's limit, whatever the batch holds


def bundles(records: list[bytes], limit: int = BUNDLE_BYTES) -> Iterator[bytes]:
    """Prepared records in messages of up to `limit` bytes, in order: the index partition pays Faust's
    per-message cost once per message, and a batch of long articles still fits the topic's limit (a
    record longer than `limit` goes alone: the input topic took it, so the index topic takes it too)."""
    chunk: list[bytes] = []
    size = 0
    for record in records:
        if chunk and size + _BUNDLE.size + len(record) > limit:
            yield b"".join(chunk)
            chunk, size = [], 0
        chunk.append(_BUNDLE.pack(len(record)) + record)
        size += _BUNDLE.size + len(record)
    if chunk:
        yield b"".join(chunk)


def unbundle(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        (size,) = _BUNDLE.unpack_from(data, at)
        out.append(data[at + 4:at + 4 + size])
        at += 4 + size
    return out


@contextmanager
def _current(event: faust.EventT[Any]) -> Iterator[None]:
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


def register_dedup_agent(app: faust.App, settings: Settings, *, steps: Callable[[], Steps],
                         source: faust.TopicT, sink: faust.TopicT,
                         route: Callable[[Outcome, faust.TopicT], Awaitable[None]],
                         forward: Callable[[Outcome, faust.TopicT], Awaitable[None]],
                         observe: Callable[[Outcome], None]) -> None:
    """The dedup agents: prepare in the pool, re-key to the index partition, judge against the table.

    The dead-letter rate guard counts dedup's records where they succeed or fail, in `dedup`
    (`route` for dead letters, `observe` for prepared ones): the index writer may run in another
    worker, so its events are sent with `forward`, uncounted.
    """
    # keys JSON (str), values raw bytes: Faust takes the codecs from key_type and value_type
    table = app.Table("dedup-index", default=None, partitions=settings.topic_partitions, key_type=str,
                      value_type=bytes)
    index_topic = app.topic(f"{settings.app_id}-dedup-index-repartition", partitions=settings.topic_partitions,
                            key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw",
                            internal=True, config={"max.message.bytes": str(MAX_MESSAGE_BYTES)})

    async def dedup(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        async for events in stream.take_events(PREPARE_BATCH, within=BATCH_WAIT):  # type: ignore[attr-defined]
            with exit_on_failure("dedup"), _current(events[-1]):
                outcomes = await steps().dedup_prepare([(e.key, e.value) for e in events])
                for outcome in outcomes:
                    if outcome.deadletter is not None:
                        await route(outcome, sink)
                    else:
                        observe(outcome)
                for message in bundles([o.value for o in outcomes if o.value is not None]):
                    await index_topic.send(key=INDEX_KEY, value=message)
            yield None

    async def dedup_index(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        # One bundle is already a batch (up to PREPARE_BATCH articles): judged as soon as it arrives.
        # Waiting for more bundles (`take_events`) cost the writer BATCH_WAIT per fetch, since a
        # fetch holds few bundles of ~6 KB articles: the writer sat idle half of bench.dedup_kafka.
        async for event in stream.events():
            with exit_on_failure("dedup"), _current(event):
                s = steps()
                for outcome in s.dedup_judge(unbundle(event.value), s.dedup_index(table)):
                    await forward(outcome, sink)
            yield None

    # One actor per pool process, as for the other stages. Two per process pipelined a batch's send
    # with the next pool call, but two actors on one partition may finish out of order, so which of
    # two copies in a partition reached the index first (and was `unique`) depended on timing: the
    # interop test, one partition and one pool process, flaked on it in CI.
    app.agent(source, name="dedup", concurrency=settings.pool_workers)(dedup)
    app.agent(index_topic, name="dedup-index")(dedup_index)
