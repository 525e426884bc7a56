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
in at-least-once mode, so every offset holds a record and every record must be acknowledged. The
worst case left is a commit that stops advancing until the next rebalance or restart, which then
re-delivers: duplicates (idempotent by id), never losses.
"""

from __future__ import annotations

from typing import Any

from faust.transport.consumer import Consumer
from faust.utils.functional import consecutive_numbers


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
    if committed is not None and acked[0] > committed:
        return None  # the record at the committed position has not been processed yet
    batch = next(consecutive_numbers(acked))
    acked[: len(batch)] = []
    self._acked_index[tp].difference_update(batch)
    return int(batch[-1]) + 1


async def _no_gap(self: Any, tp: Any, offset_from: int, offset_to: int) -> None:
    """Gap filling off: an offset counts as processed only when its record was acknowledged."""


def install(*, fill_gaps: bool) -> None:
    Consumer._new_offset = _new_offset  # type: ignore[method-assign]
    if not fill_gaps:
        Consumer._add_gap = _no_gap  # type: ignore[method-assign]
