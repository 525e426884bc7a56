"""Test helpers that talk to the real broker: produce, collect events, validate them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.records import record_id
from workers.schemas import validator
from workers.settings import Settings


async def produce(settings: Settings, values: Iterable[bytes], *, topic: str | None = None,
                  keyed: bool = True) -> list[str]:
    """Send raw values keyed by their id (as `news-ingest produce` does); return the ids."""
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", max_request_size=MAX_MESSAGE_BYTES)
    ids = []
    # stopped also when it fails to start (the security tests expect that): an unclosed client's
    # ResourceWarning would fail whichever later test the garbage collector runs in
    async with started(producer):
        for value in values:
            key = record_id(None, value)
            ids.append(key)
            await producer.send_and_wait(topic or settings.topic_raw, value=value,
                                         key=key.encode() if keyed else None)
    return ids


async def collect(settings: Settings, topic: str, *, count: int, timeout: float) -> list[dict[str, Any]]:
    """Read `topic` from the beginning until `count` events arrived or `timeout` passed.

    Every event is validated against its public schema on the way, so each test that sees an
    event also checks the contract.
    """
    schema = "deadletter" if topic == settings.topic_deadletter else "enriched"
    consumer = AIOKafkaConsumer(topic, **aiokafka_options(settings), group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_bytes=MAX_MESSAGE_BYTES)
    events: list[dict[str, Any]] = []
    async with started(consumer):
        deadline = time.monotonic() + timeout
        while len(events) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                for record in records:
                    event = orjson.loads(record.value)
                    errors = list(validator(schema).iter_errors(event))
                    assert not errors, f"{schema} event {event.get('id')} violates the schema: {errors[0]}"
                    assert record.key is not None, "key must be the id"
                    assert record.key.decode() == event["id"], "key must be the id"
                    events.append(event)
    return events


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def outcomes_by_id(settings: Settings, expected: set[str], *, timeout: float) -> dict[str, list[dict[str, Any]]]:
    """Read enriched and dead-letter topics until every expected id has an outcome (or timeout).

    Returns every outcome seen per id, so callers can count redeliveries as well as losses.
    """
    consumer = AIOKafkaConsumer(settings.topic_enriched, settings.topic_deadletter, **aiokafka_options(settings),
                                group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
                                fetch_max_bytes=MAX_MESSAGE_BYTES)
    seen: dict[str, list[dict[str, Any]]] = {}
    async with started(consumer):
        deadline = time.monotonic() + timeout
        idle_after_complete = 0
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    event = orjson.loads(record.value)
                    seen.setdefault(event["id"], []).append(event)
            if expected <= seen.keys():
                # keep reading briefly so late redeliveries are counted too
                idle_after_complete = idle_after_complete + 1 if not batch else 0
                if idle_after_complete >= 4:
                    break
    return seen


async def last_topics_reached(settings: Settings, ids: set[str], *, timeout: float = 10) -> dict[str, str]:
    """For each id, the last pipeline topic it reached, as `topic[partition]@offset (group committed N)`:
    a lost article's trail (which stage dropped it, and whether the worker group committed past it).

    Reads the stage topics and the dedup repartition topic from the beginning; only for diagnostics.
    """
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        committed = await admin.list_consumer_group_offsets(settings.app_id)
    finally:
        await admin.close()
    chain = [settings.topic_raw, settings.topic_extracted, settings.topic_normalized, settings.topic_tagged,
             *sorted(t for t in existing if t.startswith(settings.app_id) and t.endswith("repartition"))]
    reached: dict[str, str] = {}
    for topic in chain:
        consumer = AIOKafkaConsumer(topic, **aiokafka_options(settings), group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest", fetch_max_bytes=MAX_MESSAGE_BYTES)
        async with started(consumer):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=1000)
                if not batch:
                    break
                for tp, records in batch.items():
                    group = committed.get(tp)
                    for record in records:
                        found = record_id(None, record.value) if record.value else None
                        if found in ids:
                            reached[found] = (f"{topic}[{tp.partition}]@{record.offset} "
                                              f"(group committed {group.offset if group else None})")
    return reached
