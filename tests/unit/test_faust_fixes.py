"""The corrected commit-offset rule: never commit past a record that was not acknowledged."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace

import pytest
from faust.transport.consumer import Consumer
from faust.types import tuples
from intervaltree import IntervalTree

from workers.runtime import faust_fixes

TP = tuples.TP("articles.raw", 2)
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


def test_nothing_is_committed_while_the_position_is_unknown() -> None:
    # Faust leaves the position at None for a partition without a committed offset; its own rule
    # then commits past whatever precedes the first acknowledged record.
    assert faust_fixes._new_offset(consumer(None, [5, 6]), TP) is None
    assert ORIGINAL_NEW_OFFSET(consumer(None, [5, 6]), TP) == 7


def test_the_run_from_the_committed_position_is_committed() -> None:
    state = consumer(261, [261, 262, 263, 265])
    assert faust_fixes._new_offset(state, TP) == 264
    assert state._acked[TP] == [265]


def test_gaps_still_count_when_filling_is_on() -> None:
    # offsets 263-264 hold no record (e.g. a transaction marker) and were recorded as a gap
    assert faust_fixes._new_offset(consumer(261, [261, 262, 265], gaps=[(263, 265)]), TP) == 266


class _Message(SimpleNamespace):
    tp: object
    offset: int


class _FakeConsumer:
    """What `StuckHeads` and `perform_seek` read of Faust's consumer; seeks are recorded."""

    def __init__(self, committed: int | None, *, end: int | None = 10, acked: set[int] = frozenset(),
                 in_flight: list[int] = (), earliest: int = 0) -> None:
        self._committed_offset = defaultdict(lambda: None, {} if committed is None else {TP: committed})
        self._acked_index = defaultdict(set, {TP: set(acked)})
        self._unacked_messages = [_Message(tp=TP, offset=o) for o in in_flight]
        self._paused_partitions: set[object] = set()
        self.flow_active = True
        self.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=lambda topic: True))
        self.end, self.earliest = end, earliest
        self.seeks: list[tuple[object, int]] = []

    def assignment(self) -> set[object]:
        return {TP}

    def highwater(self, tp: object) -> int | None:
        if self.end == "revoked":
            raise AssertionError("Partition is not assigned")  # what aiokafka does mid-rebalance
        return self.end

    async def earliest_offsets(self, *tps: object) -> dict[object, int]:
        return dict.fromkeys(tps, self.earliest)

    async def seek_to_committed(self) -> dict[object, int | None]:
        return {TP: self._committed_offset.get(TP)}

    async def seek(self, tp: object, offset: int) -> None:
        self.seeks.append((tp, offset))



def test_a_head_neither_acknowledged_nor_in_flight_is_stuck() -> None:
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(_FakeConsumer(4)) == {TP: 4}


@pytest.mark.parametrize("state", [
    {"acked": {4}},       # processed: the next commit moves past it
    {"in_flight": [4]},   # delivered to a stream, still being processed
    {"end": 4},           # the partition holds no record at the head yet
    {"end": None},        # the end is not known yet
    {"end": "revoked"},   # the partition left this consumer meanwhile
])
def test_a_head_that_is_processed_in_flight_or_not_there_is_not_stuck(state: dict[str, object]) -> None:
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(_FakeConsumer(4, **state)) == {}


def test_nothing_is_stuck_while_the_flow_is_stopped_for_a_rebalance() -> None:
    fake = _FakeConsumer(4)
    fake.flow_active = False
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(fake) == {}


def test_a_head_stuck_for_long_enough_is_re_read_from_the_committed_offset() -> None:
    fake, heads = _FakeConsumer(4), faust_fixes.StuckHeads(after_seconds=30)
    assert asyncio.run(heads.heal(fake, now=100.0)) == []
    assert asyncio.run(heads.heal(fake, now=120.0)) == []
    assert asyncio.run(heads.heal(fake, now=130.0)) == [TP]
    assert fake.seeks == [(TP, 4)]


def test_the_wait_starts_again_when_the_head_moves_or_gets_processed() -> None:
    fake, heads = _FakeConsumer(4), faust_fixes.StuckHeads(after_seconds=30)
    asyncio.run(heads.heal(fake, now=100.0))
    fake._committed_offset[TP] = 5  # the commit advanced: a new head, a new wait
    assert asyncio.run(heads.heal(fake, now=131.0)) == []
    fake._acked_index[TP].add(5)
    assert asyncio.run(heads.heal(fake, now=140.0)) == []
    fake._acked_index[TP].clear()
    assert asyncio.run(heads.heal(fake, now=150.0)) == []
    assert fake.seeks == []


def test_perform_seek_fills_in_the_position_of_a_partition_without_a_committed_offset() -> None:
    fake = _FakeConsumer(None, earliest=3)
    fake._read_offset = defaultdict(lambda: None)
    asyncio.run(faust_fixes._perform_seek(fake))
    assert fake._committed_offset[TP] == 3


def test_a_seek_that_fails_because_the_partition_left_is_skipped_not_raised() -> None:
    fake, heads = _FakeConsumer(4), faust_fixes.StuckHeads(after_seconds=0)

    async def revoked(tp: object, offset: int) -> None:
        raise RuntimeError("IllegalStateError: partition not assigned")

    fake.seek = revoked  # type: ignore[method-assign]
    assert asyncio.run(heads.heal(fake)) == []
