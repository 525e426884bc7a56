"""The corrected commit-offset rule: never commit past a record that was not acknowledged."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.consumer.fetcher import FetchResult, PartitionRecords
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.record.memory_records import MemoryRecords
from aiokafka.structs import TopicPartition
from faust.transport.consumer import Consumer
from faust.types import tuples
from intervaltree import IntervalTree

from workers.cli.errors import CliError, translate
from workers.errors import UnverifiedDependency
from workers.runtime import faust_fixes, faust_verified

TP = tuples.TP("articles.raw", 2)
# faust-streaming's own rules (`install` may have replaced them on the class already in this process)
ORIGINAL_NEW_OFFSET = faust_verified.ORIGINALS["faust.transport.consumer.Consumer._new_offset"]
ORIGINAL_ADD_GAP = faust_verified.ORIGINALS["faust.transport.consumer.Consumer._add_gap"]


def consumer(committed: int | None, acked: list[int], gaps: Sequence[tuple[int, int]] = ()) -> SimpleNamespace:
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

    _read_offset: defaultdict[object, int | None]  # set by the test of `perform_seek` that reads it

    def __init__(self, committed: int | None, *, end: int | str | None = 10, acked: Collection[int] = frozenset(),
                 in_flight: Sequence[int] = (), earliest: int = 0, holes: Sequence[tuple[int, int]] = (),
                 queued: int = 0) -> None:
        self._committed_offset: defaultdict[object, int | None] = defaultdict(
            lambda: None, {} if committed is None else {TP: committed})
        self._acked_index = defaultdict(set, {TP: set(acked)})
        self._acked = defaultdict(list, {TP: sorted(acked)} if acked else {})
        self._gap: defaultdict[object, Any] = defaultdict(IntervalTree)  # intervaltree ships no types
        for hole in holes:
            self._gap[TP].addi(*hole)
        self._unacked_messages = [_Message(tp=TP, offset=o) for o in in_flight]
        self._paused_partitions: set[object] = set()
        self.flow_active = True
        # the conductor's channels for TP; `queued` records wait in one channel's queue
        channels = [SimpleNamespace(queue=asyncio.Queue()), SimpleNamespace(queue=asyncio.Queue())]
        for offset in range(queued):
            channels[1].queue.put_nowait(offset)
        self.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=lambda topic: True,
                                                          _tp_index={TP: channels}))
        self.end, self.earliest = end, earliest
        self.seeks: list[tuple[object, int]] = []

    def assignment(self) -> set[object]:
        return {TP}

    def highwater(self, tp: object) -> int | None:
        if isinstance(self.end, str):  # "revoked": aiokafka's own mid-rebalance error, an AssertionError
            raise AssertionError("Partition is not assigned")  # noqa: TRY004
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
def test_a_head_that_is_processed_in_flight_or_not_there_is_not_stuck(state: dict[str, Any]) -> None:
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(_FakeConsumer(4, **state)) == {}


def test_a_head_behind_a_queued_backlog_is_waiting_not_stuck() -> None:
    # Faust counts a record as in flight only once a stream takes it from its channel queue
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(_FakeConsumer(4, queued=50)) == {}


@pytest.mark.parametrize("taken", [{"in_flight": [7]}, {"acked": {5, 6}}])
def test_a_head_passed_over_by_a_later_record_is_stuck_whatever_is_queued(taken: dict[str, Any]) -> None:
    # each partition reaches its streams in order: a later record taken means the head was dropped
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(_FakeConsumer(4, queued=50, **taken)) == {TP: 4}


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


# --- offsets that hold no record (compaction, transaction markers): holes -------------------------

@pytest.mark.parametrize(("start", "end", "offsets", "holes"), [
    (0, 6, [0, 2, 5], [(1, 2), (3, 5)]),        # compaction removed 1, 3 and 4
    (0, 6, [1, 2], [(0, 1), (3, 6)]),           # before the first record, after the last one
    (4, 9, [], [(4, 9)]),                       # a fetch that only moved the position (markers)
    (0, 3, [0, 1, 2], []),                      # every offset holds a record
])
def test_holes_are_the_offsets_of_a_fetched_range_that_came_without_a_record(
        start: int, end: int, offsets: list[int], holes: list[tuple[int, int]]) -> None:
    assert faust_fixes.holes_in(start, end, offsets) == holes


def test_holes_are_committed_over_like_acknowledged_offsets() -> None:
    # committed 0; 0-2 and 5-6 hold no record; 3, 4 and 7 were processed
    assert faust_fixes._new_offset(consumer(0, [3, 4, 7], gaps=[(0, 3), (5, 7)]), TP) == 8


def test_a_hole_after_the_last_acknowledged_record_is_committed_over_too() -> None:
    # the commit must reach the end offset when the partition ends in offsets without records
    assert faust_fixes._new_offset(consumer(0, [0, 1], gaps=[(2, 5)]), TP) == 5
    assert faust_fixes._new_offset(consumer(2, [], gaps=[(2, 5)]), TP) == 5


def test_a_fetched_record_that_is_not_acknowledged_stops_the_commit_even_between_holes() -> None:
    state = consumer(0, [3], gaps=[(0, 2)])  # 2 holds a record, not acknowledged yet
    assert faust_fixes._new_offset(state, TP) == 2
    assert faust_fixes._new_offset(state, TP) is None
    assert state._acked[TP] == [3]


def test_the_committed_part_of_the_gap_tree_is_dropped() -> None:
    state = consumer(0, [3], gaps=[(0, 3), (9, 12)])
    assert faust_fixes._new_offset(state, TP) == 4
    assert sorted((hole.begin, hole.end) for hole in state._gap[TP]) == [(9, 12)]


def test_faust_gap_covers_the_record_it_is_about_to_deliver_and_the_corrected_one_does_not() -> None:
    # `_drain_messages` read 4, fetched 10: it calls `_add_gap(tp, 5, 10)` before delivering 10
    original, corrected = _FakeConsumer(4), _FakeConsumer(4)
    asyncio.run(ORIGINAL_ADD_GAP(original, TP, 5, 10))
    asyncio.run(faust_fixes._gap_before(corrected, TP, 5, 10))
    assert original._gap[TP].at(10)  # Faust's gap counts record 10 as done before it is processed
    assert not corrected._gap[TP].at(10)
    assert sorted((hole.begin, hole.end) for hole in corrected._gap[TP]) == [(5, 10)]


def test_holes_below_the_committed_offset_or_of_a_partition_not_assigned_are_not_kept() -> None:
    fake = _FakeConsumer(5)
    faust_fixes.note_holes(fake, TP, [(1, 3), (4, 7)])
    assert sorted((hole.begin, hole.end) for hole in fake._gap[TP]) == [(5, 7)]
    faust_fixes.note_holes(fake, tuples.TP("articles.raw", 9), [(0, 3)])
    assert tuples.TP("articles.raw", 9) not in fake._gap


def test_a_head_that_holds_no_record_is_not_stuck() -> None:
    assert faust_fixes.StuckHeads(after_seconds=0).stuck(_FakeConsumer(4, holes=[(4, 6)])) == {}


def _fetch_result(offsets: list[int], *, position: int) -> tuple[object, SimpleNamespace]:
    """An aiokafka `FetchResult` over one record batch holding `offsets` (as compaction leaves it)."""
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=0, producer_id=-1,
                                        producer_epoch=-1, base_sequence=-1, batch_size=1 << 20)
    for offset in offsets:
        builder.append(offset, timestamp=None, key=b"k", value=b"v", headers=[])
    state = SimpleNamespace(paused=False, position=position)
    state.consumed_to = lambda to: setattr(state, "position", to)
    assignment = SimpleNamespace(active=True, state_value=lambda tp: state)
    tp = TopicPartition(TP.topic, TP.partition)
    records = PartitionRecords(tp, MemoryRecords(bytes(builder.build())), [], position, None, None, True, 0)
    return FetchResult(tp, assignment=assignment, partition_records=records, backoff=0), state


def test_aiokafka_getall_is_observed_only_on_a_faust_consumer_thread() -> None:
    result, state = _fetch_result([1, 2, 5], position=0)
    assert [r.offset for r in faust_fixes._getall_noting_holes(result)] == [1, 2, 5]
    assert state.position == 6
    assert getattr(faust_fixes._fetch_thread, "holes", None) is None


def test_holes_seen_by_aiokafka_reach_the_gap_tree_with_the_records() -> None:
    fake = _FakeConsumer(0)
    result, _ = _fetch_result([1, 2, 5], position=0)

    async def faust_fetch(self: object, *args: object, **kwargs: object) -> dict[object, list[object]]:
        return {TP: faust_fixes._getall_noting_holes(result)}  # what aiokafka's fetched_records calls

    async def faust_getmany(self: object, active: object, timeout: float) -> object:
        return await faust_fixes._fetch_records_handing_over_holes(self)  # the thread's fetch, by call_thread

    def fetch() -> Any:  # faust's record batches (untyped)
        return asyncio.run(faust_fixes._getmany_noting_holes(fake, None, 1.0))

    patched = pytest.MonkeyPatch()
    patched.setattr(faust_fixes, "_faust_fetch_records", faust_fetch)
    patched.setattr(faust_fixes, "_faust_getmany", faust_getmany)
    try:
        # a thread of its own, as Faust's consumer thread is: the hole list is per thread
        with ThreadPoolExecutor(1) as pool:
            records = pool.submit(fetch).result()
    finally:
        patched.undo()
    assert [r.offset for r in records[TP]] == [1, 2, 5]
    assert sorted((hole.begin, hole.end) for hole in fake._gap[TP]) == [(0, 1), (3, 5)]
    fake._acked[TP].extend([1, 2, 5])
    assert faust_fixes._new_offset(fake, TP) == 6


# --- the guard: only the verified faust-streaming and aiokafka ------------------------------------

def test_the_installed_libraries_are_the_verified_ones() -> None:
    assert faust_verified.problems() == []


def test_an_unexpected_version_is_refused_naming_the_verified_one() -> None:
    found = faust_verified.problems(installed=lambda name: "0.16.0" if name == "faust-streaming" else
                                    faust_verified.VERIFIED_VERSIONS[name])
    assert found == ["faust-streaming 0.16.0 is installed, the fixes were verified on 0.15.3 only"]


def test_a_changed_function_is_refused_naming_it() -> None:
    def _new_offset(self: object, tp: object) -> None:  # same name, another body
        return None

    name = "faust.transport.consumer.Consumer._new_offset"
    found = faust_verified.problems(originals={**faust_verified.ORIGINALS, name: _new_offset})
    assert len(found) == 1
    assert found[0].startswith(f"{name} is not the code the fixes were verified against")


def test_install_refuses_before_patching_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "aiokafka.consumer.fetcher.FetchResult.getall"
    monkeypatch.setattr(faust_verified, "ORIGINALS", {**faust_verified.ORIGINALS, name: lambda self: []})
    before = Consumer._new_offset
    with pytest.raises(UnverifiedDependency, match=r"verified on faust-streaming==0\.15\.3, aiokafka==0\.14\.0.*"
                                                   r"FetchResult\.getall is not the code"):
        faust_fixes.install(fill_gaps=False)
    assert Consumer._new_offset is before


def test_the_refusal_reaches_the_user_as_one_line_not_a_traceback() -> None:
    refusal = UnverifiedDependency("refusing to start: ...")
    error = translate(refusal, None)
    assert isinstance(error, CliError)
    assert error.message == str(refusal)
