"""Corrections to faust-streaming's offset bookkeeping, which can commit past unprocessed records.

Defects in `faust.transport.consumer.Consumer` (0.15.3) let a rebalance lose records under
at-least-once, as our fault tests showed (7 of 1,000 articles in one run, 1 of 1,000 in a later
one after the first two fixes):

1. `_new_offset` guards against a hole at the head of the acknowledged offsets with
   `min(acked) - committed > 1`, but `committed` is the *next* offset to read (Kafka's committed
   position), so a single unprocessed record right at the committed position is committed over.
2. Where the position is unknown the guard is off: `perform_seek` leaves the committed position
   at None for a partition that has no committed offset yet, and maps a committed offset of 0 to
   None. The first commit after such an assignment skips any hole before the first acknowledged
   record.
3. `_drain_messages` records a "gap" whenever a fetched offset is more than one past the last one
   read, and `_new_offset` later counts gap offsets as acknowledged. That is meant for offsets that
   hold no record (compaction, transaction markers), but a record fetched before a rebalance and
   delivered after the seek back to the committed position also opens a gap, over records that
   exist and were never processed.

`install` replaces `_new_offset` with a version whose guard is exact and that never commits while
the position is unknown, makes `perform_seek` fill in the position of partitions without a
committed offset (their first offset: the consumer reads from the earliest), and, unless the input
may carry transaction markers, turns gap filling off: our own topics are written without
transactions in at-least-once mode, so every offset holds a record and every record must be
acknowledged.

With the guard exact, a record that Faust dropped after a rebalance (`_drain_messages` discards a
record whose offset is below a read position that a stale record moved past) no longer gets
committed over; instead the commit of its partition stops advancing. `StuckHeads` heals that: run
periodically, it seeks a partition back to its committed offset when the record there has, for a
while, been neither acknowledged nor in flight although the partition holds it. The records after
it are re-delivered too: duplicates, idempotent by id, never losses.

4. With gap filling off, offsets that hold no record (compaction removed the record, a transaction
   marker, an aborted transaction's records) are never acknowledged, so the exact guard stops the
   commit at the first such hole and `StuckHeads` re-reads the partition from it, again and again:
   a compacted input topic was never consumed to the end. Faust's own gap filling cannot tell such
   holes from the stale-record gap of fix 3, and its gap also covers the offset of the record just
   fetched (`_add_gap(tp, last + 1, offset)` adds `[last + 1, offset]`), so a record processed out
   of order by an agent with concurrency could be committed before it was acknowledged.
   aiokafka knows the holes exactly: `FetchResult.getall` hands out a partition's records only
   from the consumer's position (`check_assignment`), and moves the position past the last offset
   it consumed, skipped control batches and compacted-away offsets included. `install` wraps it, so
   every offset in `[position before, position after)` that came back without a record is recorded
   as a hole (in Faust's gap tree, on the consumer's own thread and loop), and `_new_offset`
   commits over acknowledged offsets and holes alike, never over a record that was fetched and not
   acknowledged. Holes are facts about the log (an offset compaction emptied never holds a record
   again), so one learnt from a fetch that a rebalance overtook is still true.

Upstream, for the record (faust-streaming/faust unless named):
- robinhood/faust#379 and robinhood/faust#401 (its fix: PR robinhood/faust#403): compacted topics
  and exactly-once producers leave offsets without records, and Faust stopped committing (fix 4).
- #312 / PR #313 added the guard against a hole at the head of the acknowledged offsets (`> 0`
  there, `> 1` in 0.15.3: fix 1); #378: after it, a compacted topic with gaps never commits (fix 4);
  #606 (open): wrong commits with gaps and agent concurrency (fix 4's corrected gap end).
- PR #33: the committed offset is the next offset to read, which is why `> 1` is off by one.
- #282: gaps kept in an interval tree; #596 (open): gaps in the acknowledged offsets that block
  committing for good (what `StuckHeads` heals).
- #216, #221 / PR #223: records fetched before a rebalance delivered after it (fix 3's stale record).
- aio-libs/aiokafka#1003: a committed offset of 0 is treated like none (compare fix 2).

`install` first checks that faust-streaming and aiokafka are the versions these fixes were verified
on and that every function replaced, wrapped or relied on is unchanged (`faust_verified`); anything
else stops the worker at start with `UnverifiedDependency`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka.consumer.fetcher import FetchResult
from faust.transport.consumer import Consumer, ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.types import TP

from workers.runtime import faust_verified

log = logging.getLogger(__name__)

_faust_perform_seek = Consumer.perform_seek
_faust_getmany = ThreadDelegateConsumer._getmany
_faust_fetch_records = AIOKafkaConsumerThread._fetch_records
_aiokafka_getall = FetchResult.getall


def _new_offset(self: Any, tp: Any) -> int | None:
    """The offset to commit for `tp`: the end of the run of acknowledged offsets and holes (offsets
    without a record) that starts exactly at the committed position; None while that position is
    unknown or nothing at it is done."""
    committed = self._committed_offset[tp]
    if committed is None:
        return None
    acked: list[int] = self._acked[tp]
    acked.sort()
    gaps = self._gap[tp]
    position, done = committed, 0
    while True:
        if done < len(acked) and acked[done] <= position:  # below the position: acknowledged earlier
            position = max(position, acked[done] + 1)
            done += 1
        elif gaps and (holes := gaps.at(position)):
            position = max(hole.end for hole in holes)
        else:
            break
    self._acked_index[tp].difference_update(acked[:done])
    acked[:done] = []
    if gaps and position > committed:
        gaps.chop(0, position)
    return position if position > committed else None


def holes_in(start: int, end: int, offsets: Sequence[int]) -> list[tuple[int, int]]:
    """The ranges `[begin, end)` of `[start, end)` that hold none of `offsets` (ascending)."""
    holes, expected = [], start
    for offset in offsets:
        if offset > expected:
            holes.append((expected, offset))
        expected = max(expected, offset + 1)
    if end > expected:
        holes.append((expected, end))
    return holes


_fetch_thread = threading.local()  # `.holes`: [(tp, holes)] seen by this consumer thread, not yet handed over


def _getall_noting_holes(self: Any, max_records: int | None = None) -> list[Any]:
    """aiokafka's `FetchResult.getall`, noting the offsets it moved the position past without a record.

    Only on a Faust consumer thread (where `_fetch_records_handing_over_holes` set up `holes`): other
    aiokafka consumers in the process are left alone."""
    sink: list[tuple[Any, list[tuple[int, int]]]] | None = getattr(_fetch_thread, "holes", None)
    partition_records = self._partition_records
    if sink is None or partition_records is None:
        return _aiokafka_getall(self, max_records)  # type: ignore[no-any-return]
    start = partition_records.next_fetch_offset
    records: list[Any] = _aiokafka_getall(self, max_records)
    end = partition_records.next_fetch_offset  # the position now (`_update_position`)
    if end > start:
        holes = holes_in(start, end, [record.offset for record in records])
        if holes:
            sink.append((self._topic_partition, holes))
    return records


class _FetchedRecords(dict[Any, Any]):
    """Faust's record map, with the holes seen while fetching it (handed to the main thread)."""

    holes: list[tuple[Any, list[tuple[int, int]]]]


async def _fetch_records_handing_over_holes(self: Any, *args: Any, **kwargs: Any) -> Any:
    """Faust's fetch on the consumer thread; the holes noted by `getall` ride along with the records."""
    if getattr(_fetch_thread, "holes", None) is None:
        _fetch_thread.holes = []
    records = await _faust_fetch_records(self, *args, **kwargs)
    holes, _fetch_thread.holes = _fetch_thread.holes, []
    if not holes:
        return records
    fetched = _FetchedRecords(records)
    fetched.holes = holes
    return fetched


async def _getmany_noting_holes(self: Any, active_partitions: Any, timeout: float) -> Any:
    """Faust's `_getmany`; the holes that came with the records go into the gap tree first (this
    is the main thread, which owns the commit bookkeeping)."""
    records = await _faust_getmany(self, active_partitions, timeout)
    for tp, holes in getattr(records, "holes", ()):
        note_holes(self, TP(tp.topic, tp.partition), holes)
    return records


def note_holes(consumer: Any, tp: Any, holes: Iterable[tuple[int, int]]) -> None:
    """Record offsets of `tp` that hold no record as done, from the committed position on."""
    if not consumer.app.topics.acks_enabled_for(tp.topic) or tp not in consumer.assignment():
        return
    committed = consumer._committed_offset.get(tp)
    tree = consumer._gap[tp]
    for first, end in holes:
        begin = first if committed is None else max(first, committed)
        if begin < end:
            tree.addi(begin, end)
    tree.merge_overlaps(strict=False)
    consumer._acked.setdefault(tp, [])  # a partition with holes and no ack yet must be visited by the commit


async def _perform_seek(self: Any) -> None:
    """Faust's seek to the committed offsets, then the position of partitions without one."""
    await _faust_perform_seek(self)
    unknown = [tp for tp in self.assignment()
               if self._committed_offset.get(tp) is None and self.app.topics.acks_enabled_for(tp.topic)]
    if not unknown:
        return
    for tp, offset in (await self.earliest_offsets(*unknown)).items():
        if self._committed_offset.get(tp) is None and offset is not None:
            self._committed_offset[tp] = offset


async def _no_gap(self: Any, tp: Any, offset_from: int, offset_to: int) -> None:
    """Gap filling off: an offset counts as processed only when its record was acknowledged (or the
    fetch showed it holds none: `note_holes`)."""


async def _gap_before(self: Any, tp: Any, offset_from: int, offset_to: int) -> None:
    """Faust's gap filling with its end corrected: `_drain_messages` passes the offset of the record it
    is about to deliver as `offset_to`, and that record is not a gap until it is acknowledged."""
    note_holes(self, tp, [(offset_from, offset_to)])


class StuckHeads:
    """Finds partitions whose commit waits on a record that nobody is processing, and re-reads them.

    The record at a partition's committed position is *stuck* when the partition holds it (the end
    offset is past it) but it is neither acknowledged nor in flight (delivered to a stream and not
    yet acknowledged). That is the state a dropped record leaves, whether or not records after it
    were processed. A record the consumer has simply not fetched yet looks the same for a moment,
    so a head must stay stuck at the same offset for `after_seconds` before it is re-read; a
    re-read of a record that was only late costs a re-fetch, nothing more.

    A record waiting in a stream's channel queue is not in flight either (Faust counts it once the
    stream takes it), and under a backlog it can wait longer than any timer. So a head also has to
    look dropped: a later record of its partition was already taken (each partition reaches its
    streams in order), or nothing is queued for its partition's channels at all.
    """

    def __init__(self, *, after_seconds: float) -> None:
        self.after_seconds = after_seconds
        self._since: dict[Any, tuple[int, float]] = {}

    def stuck(self, consumer: Any) -> dict[Any, int]:
        """The partitions whose head is stuck right now, with the head offset."""
        if not consumer.flow_active:
            return {}
        in_flight = {(message.tp, message.offset) for message in list(consumer._unacked_messages)}
        heads = {}
        for tp in consumer.assignment():
            if tp in consumer._paused_partitions or not consumer.app.topics.acks_enabled_for(tp.topic):
                continue
            head, end = consumer._committed_offset.get(tp), _end_offset(consumer, tp)
            if head is None or end is None or head >= end:
                continue
            if head in consumer._acked_index.get(tp, ()) or (tp, head) in in_flight:
                continue
            if (gaps := consumer._gap.get(tp)) and gaps.at(head):  # holds no record: the next commit passes it
                continue
            if _may_be_queued(consumer, tp, head, in_flight):
                continue
            heads[tp] = head
        return heads

    async def heal(self, consumer: Any, *, now: float | None = None) -> list[Any]:
        """Seek every partition stuck on the same head for `after_seconds` back to that head."""
        now = time.monotonic() if now is None else now
        previous, self._since = self._since, {}
        healed = []
        for tp, head in self.stuck(consumer).items():
            first_seen = previous[tp][1] if tp in previous and previous[tp][0] == head else now
            if now - first_seen < self.after_seconds:
                self._since[tp] = (head, first_seen)
                continue
            log.warning("re-reading %s from offset %s: its record was never processed", tp, head)
            try:
                await consumer.seek(tp, head)
            except Exception:  # a rebalance took the partition meanwhile: its new owner reads it
                log.warning("could not re-read %s", tp, exc_info=True)
                continue
            healed.append(tp)
        return healed


def _may_be_queued(consumer: Any, tp: Any, head: int, in_flight: set[tuple[Any, int]]) -> bool:
    """Whether the head can still be waiting for its stream: nothing after it has been taken yet, and
    a channel of its partition holds queued records (the conductor's `_tp_index`: the channels each
    partition's records are delivered to)."""
    if any(offset > head for offset in consumer._acked_index.get(tp, ())):
        return False
    if any(offset > head for taken_tp, offset in in_flight if taken_tp == tp):
        return False
    return any(not channel.queue.empty() for channel in consumer.app.topics._tp_index.get(tp, ()))


def _end_offset(consumer: Any, tp: Any) -> int | None:
    """The partition's end offset as last fetched; None when unknown or no longer assigned (the
    assignment can change on the consumer's thread between two calls)."""
    try:
        end = consumer.highwater(tp)
    except (AssertionError, AttributeError, KeyError):
        return None
    return None if end is None else int(end)


def install(*, fill_gaps: bool) -> None:
    """Patch Faust's consumer (and aiokafka's `getall`) in this process; refuses unverified versions.

    `fill_gaps` keeps Faust's own gap recording (end corrected) for inputs with transaction markers.
    The holes read from the fetches cover markers too, so it is redundant now; it stays until the
    setting (NEWS_INGEST_INPUT_TRANSACTIONAL) is retired, with the stale-record risk of fix 3."""
    faust_verified.verify()
    Consumer._new_offset = _new_offset  # type: ignore[method-assign]
    Consumer.perform_seek = _perform_seek  # type: ignore[method-assign]
    Consumer._add_gap = _gap_before if fill_gaps else _no_gap  # type: ignore[method-assign]
    ThreadDelegateConsumer._getmany = _getmany_noting_holes  # type: ignore[method-assign]
    AIOKafkaConsumerThread._fetch_records = _fetch_records_handing_over_holes  # type: ignore[method-assign]
    FetchResult.getall = _getall_noting_holes
