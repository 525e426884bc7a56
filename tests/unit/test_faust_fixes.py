"""The corrected commit-offset rule: never commit past a record that was not acknowledged."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace

from faust.transport.consumer import Consumer
from intervaltree import IntervalTree

from workers import faust_fixes

TP = ("articles.raw", 2)
ORIGINAL_NEW_OFFSET = Consumer._new_offset


def consumer(committed: int | None, acked: list[int], gaps: list[tuple[int, int]] = ()) -> SimpleNamespace:
    tree = IntervalTree()
    for begin, end in gaps:
        tree.addi(begin, end)
    return SimpleNamespace(_acked={TP: list(acked)}, _gap=defaultdict(IntervalTree, {TP: tree}),
                           _committed_offset=defaultdict(lambda: None, {TP: committed}),
                           _acked_index=defaultdict(set, {TP: set(acked)}))


def test_a_hole_at_the_committed_position_blocks_the_commit() -> None:
    # The record at offset 261 (the committed position) was never processed; 262 and 263 were.
    assert faust_fixes._new_offset(consumer(261, [262, 263]), TP) is None
    # faust-streaming's own rule commits over it: this is the record loss the fix removes.
    assert ORIGINAL_NEW_OFFSET(consumer(261, [262, 263]), TP) == 264


def test_a_hole_at_offset_zero_blocks_the_commit_too() -> None:
    assert faust_fixes._new_offset(consumer(0, [1, 2]), TP) is None


def test_the_run_from_the_committed_position_is_committed() -> None:
    state = consumer(261, [261, 262, 263, 265])
    assert faust_fixes._new_offset(state, TP) == 264
    assert state._acked[TP] == [265]


def test_gaps_still_count_when_filling_is_on() -> None:
    # offsets 263-264 hold no record (e.g. a transaction marker) and were recorded as a gap
    assert faust_fixes._new_offset(consumer(261, [261, 262, 265], gaps=[(263, 265)]), TP) == 266


class _FakeConsumer:
    """Only what `reread_missing_heads` reads; the seek it issues is recorded."""

    def __init__(self, committed: int) -> None:
        self._committed_offset = {TP: committed}
        self.seeks: list[tuple[object, int]] = []

    def assignment(self) -> set[object]:
        return {TP}

    async def seek(self, tp: object, offset: int) -> None:
        self.seeks.append((tp, offset))


def test_a_partition_stuck_on_a_missing_record_is_re_read_from_the_committed_offset() -> None:
    state = consumer(261, [262, 263])
    fake = _FakeConsumer(261)
    assert faust_fixes._new_offset(state, TP) is None
    fake.__dict__["_head_missing_since"] = state._head_missing_since
    assert asyncio.run(faust_fixes.reread_missing_heads(fake, after_seconds=3600)) == []
    assert asyncio.run(faust_fixes.reread_missing_heads(fake, after_seconds=0)) == [TP]
    assert fake.seeks == [(TP, 261)]
    assert TP not in state._head_missing_since
