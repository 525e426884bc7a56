"""Corrections to faust-streaming's offset bookkeeping, which can commit past unprocessed records.

Two defects in `faust.transport.consumer.Consumer` (0.15.3) let a rebalance lose records under
at-least-once, as our fault tests showed (7 of 1,000 articles in one run):

1. `_new_offset` guards against a hole at the head of the acknowledged offsets with
   `min(acked) - committed > 1`, but `committed` is the *next* offset to read (Kafka's committed
   position), so a single unprocessed record right at the committed position is committed over.
   It also skips the guard when the committed position is 0.
2. `_drain_messages` records a "gap" whenever a fetched offset is more than one past the last one
   read, and `_new_offset` later counts gap offsets as acknowledged. That is meant for offsets that
   hold no record (compaction, transaction markers), but a record fetched before a rebalance and
   delivered after the seek back to the committed position also opens a gap, over records that
   exist and were never processed.

`install` replaces `_new_offset` with a version whose guard is exact, and, unless the input may
carry transaction markers, turns gap filling off: our own topics are written without transactions
in at-least-once mode, so every offset holds a record and every record must be acknowledged.

With the guard exact, a record that Faust dropped after a rebalance (it compares offsets with a
read position that a stale record moved past) no longer gets committed over; instead the commit of
its partition stops advancing. `reread_missing_heads` heals that: run periodically, it seeks a
partition whose committed record has stayed unacknowledged for a while back to the committed
offset, so the record is fetched and processed again (the ones after it are re-delivered too:
duplicates, idempotent by id, never losses).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from faust.transport.consumer import Consumer
from faust.utils.functional import consecutive_numbers

log = logging.getLogger(__name__)


def _new_offset(self: Any, tp: Any) -> int | None:
    """The offset to commit for `tp`: one past the run of acknowledged offsets that starts exactly at
    the committed position; None while the record at that position is unacknowledged."""
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
    missing_since: dict[Any, float] = self.__dict__.setdefault("_head_missing_since", {})
    if committed is not None and acked[0] > committed:
        missing_since.setdefault(tp, time.monotonic())
        return None  # the record at the committed position has not been processed yet
    missing_since.pop(tp, None)
    batch = next(consecutive_numbers(acked))
    acked[: len(batch)] = []
    self._acked_index[tp].difference_update(batch)
    return int(batch[-1]) + 1


async def _no_gap(self: Any, tp: Any, offset_from: int, offset_to: int) -> None:
    """Gap filling off: an offset counts as processed only when its record was acknowledged."""


async def reread_missing_heads(consumer: Any, *, after_seconds: float) -> list[Any]:
    """Seek partitions whose committed record has been missing for `after_seconds` back to it."""
    missing_since: dict[Any, float] = consumer.__dict__.get("_head_missing_since", {})
    now, healed = time.monotonic(), []
    assigned = consumer.assignment()
    for tp, since in list(missing_since.items()):
        committed = consumer._committed_offset[tp]
        if now - since < after_seconds or tp not in assigned or committed is None:
            continue
        log.warning("re-reading %s from offset %s: its record was never processed", tp, committed)
        await consumer.seek(tp, committed)
        missing_since.pop(tp, None)
        healed.append(tp)
    return healed


def install(*, fill_gaps: bool) -> None:
    Consumer._new_offset = _new_offset  # type: ignore[method-assign]
    if not fill_gaps:
        Consumer._add_gap = _no_gap  # type: ignore[method-assign]
