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
"""

from __future__ import annotations

import logging
import time
from typing import Any

from faust.transport.consumer import Consumer
from faust.utils.functional import consecutive_numbers

log = logging.getLogger(__name__)

_faust_perform_seek = Consumer.perform_seek


def _new_offset(self: Any, tp: Any) -> int | None:
    """The offset to commit for `tp`: one past the run of acknowledged offsets that starts exactly at
    the committed position; None while that position is unknown or its record unacknowledged."""
    acked: list[int] = self._acked[tp]
    if not acked:
        return None
    gaps = self._gap[tp]
    if gaps:
        max_offset = max(acked)
        candidates = sorted(gaps.overlap(0, max_offset), key=lambda interval: interval.begin)
        if candidates:
            filled = [offset for interval in candidates for offset in range(interval.begin, interval.end)]
            acked.extend(filled)
            gaps.chop(0, max(filled[-1], max_offset + 1))
    acked.sort()
    committed = self._committed_offset[tp]
    if committed is None or acked[0] > committed:
        return None
    batch = next(consecutive_numbers(acked))
    acked[: len(batch)] = []
    self._acked_index[tp].difference_update(batch)
    return int(batch[-1]) + 1


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
    """Gap filling off: an offset counts as processed only when its record was acknowledged."""


class StuckHeads:
    """Finds partitions whose commit waits on a record that nobody is processing, and re-reads them.

    The record at a partition's committed position is *stuck* when the partition holds it (the end
    offset is past it) but it is neither acknowledged nor in flight (delivered to a stream and not
    yet acknowledged). That is the state a dropped record leaves, whether or not records after it
    were processed. A record the consumer has simply not fetched yet looks the same for a moment,
    so a head must stay stuck at the same offset for `after_seconds` before it is re-read; a
    re-read of a record that was only late costs a re-fetch, nothing more.
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


def _end_offset(consumer: Any, tp: Any) -> int | None:
    """The partition's end offset as last fetched; None when unknown or no longer assigned (the
    assignment can change on the consumer's thread between two calls)."""
    try:
        end = consumer.highwater(tp)
    except (AssertionError, AttributeError, KeyError):
        return None
    return None if end is None else int(end)


def install(*, fill_gaps: bool) -> None:
    Consumer._new_offset = _new_offset  # type: ignore[method-assign]
    Consumer.perform_seek = _perform_seek  # type: ignore[method-assign]
    if not fill_gaps:
        Consumer._add_gap = _no_gap  # type: ignore[method-assign]
