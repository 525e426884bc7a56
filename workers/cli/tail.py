"""`news-ingest tail`: print enriched (or dead-letter) events as JSON lines."""

from __future__ import annotations

import asyncio
import sys

import click
from aiokafka import AIOKafkaConsumer, TopicPartition

from workers.cli.common import load_settings, require_cluster
from workers.kafka import aiokafka_options
from workers.settings import Settings


async def tail_topic(settings: Settings, topic: str, *, from_beginning: bool, follow: bool,
                     limit: int | None, idle_timeout: float | None = None) -> int:
    """Read `topic` without a consumer group; stop at the end offsets seen at start unless following."""
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), enable_auto_commit=False,
                                fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    printed = 0
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(await _partitions(consumer, topic))]
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        ends = await consumer.end_offsets(partitions)
        idle = 0.0
        while limit is None or printed < limit:
            if not follow and all(await consumer.position(tp) >= ends[tp] for tp in partitions):
                break
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                idle += 0.5
                if idle_timeout is not None and idle >= idle_timeout:
                    break
                continue
            idle = 0.0
            for records in batch.values():
                for record in records:
                    sys.stdout.buffer.write(record.value + b"\n")
                    printed += 1
                    if limit is not None and printed >= limit:
                        break
            sys.stdout.buffer.flush()
    finally:
        await consumer.stop()
    return printed


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        found = consumer.partitions_for_topic(topic)
        if found:
            return set(found)
        await consumer.force_metadata_update()  # type: ignore[no-untyped-call]
        await asyncio.sleep(0.2)
    raise click.ClickException(f"topic {topic!r} does not exist")


@click.command()
@click.option("--deadletter", is_flag=True, help="Tail the dead-letter topic instead of the enriched one.")
@click.option("--from-beginning", is_flag=True, help="Start at the earliest offset, not the end.")
@click.option("--follow", "-f", is_flag=True, help="Keep waiting for new events.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="Stop after N events.")
def tail(deadletter: bool, from_beginning: bool, follow: bool, limit: int | None) -> None:
    """Print events from articles.enriched (or articles.deadletter) as JSON lines."""
    settings = load_settings()
    require_cluster(settings)
    topic = settings.topic_deadletter if deadletter else settings.topic_enriched
    asyncio.run(tail_topic(settings, topic, from_beginning=from_beginning, follow=follow, limit=limit))
