"""Prepared records travel to the index writer in bundles: in order, and never near the topic's limit."""

from __future__ import annotations

from workers.kafka import MAX_MESSAGE_BYTES
from workers.runtime.dedup_agents import BUNDLE_BYTES, bundles, unbundle


def test_records_come_back_in_order_from_one_bundle() -> None:
    records = [b"a", b"", b"c" * 300]
    (message,) = bundles(records)
    assert unbundle(message) == records


def test_a_batch_of_long_records_is_split_below_the_limit() -> None:
    records = [bytes([i]) * 3_000 for i in range(10)]
    messages = list(bundles(records, limit=10_000))
    assert len(messages) == 4
    assert all(len(m) <= 10_000 for m in messages)
    assert [r for m in messages for r in unbundle(m)] == records


def test_a_record_over_the_limit_goes_alone() -> None:
    records = [b"x" * 50, b"y" * 20_000, b"z" * 50]
    messages = list(bundles(records, limit=10_000))
    assert [unbundle(m) for m in messages] == [[records[0]], [records[1]], [records[2]]]


def test_no_records_no_message() -> None:
    assert list(bundles([])) == []
    assert BUNDLE_BYTES < MAX_MESSAGE_BYTES
