"""`news-ingest tail`: print enriched (or dead-letter) events as JSON lines."""

from __future__ import annotations

import asyncio
import sys

import click
from aiokafka import AIOKafkaConsumer, TopicPartition

from workers.cli.common import load_settings, reach_broker, require_cluster
from workers.cli.errors import CliError
from workers.kafka import aiokafka_options, started
from workers.settings import Settings


async def tail_topic(settings: Settings, topic: str, *, from_beginning: bool, follow: bool,
                     limit: int | None, idle_timeout: float | None = None) -> int:
    """Read `topic` without a consumer group; stop at the end offsets seen at start unless following."""
    consumer = AIOKafkaConsumer(topic, **aiokafka_options(settings), group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest" if from_beginning else "latest",
                                fetch_max_bytes=64 * 1024 * 1024)
    printed = 0
    async with started(consumer):
        partitions = await _assignment(consumer, topic)
        ends = await consumer.end_offsets(partitions)
        idle = 0.0
        while limit is None or printed < limit:
            if not follow and await _caught_up(consumer, ends):
                break
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                idle += 0.5
                if idle_timeout is not None and idle >= idle_timeout:
                    break
                continue
            idle = 0.0
            values = [record.value for records in batch.values() for record in records]
            if limit is not None:
                values = values[:limit - printed]
            for value in values:
                sys.stdout.buffer.write(value + b"\n")
            printed += len(values)
            sys.stdout.buffer.flush()
    return printed


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return False
    return True


async def _assignment(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    for _ in range(50):
        assigned = consumer.assignment()
        if assigned:
            return sorted(assigned)
        await asyncio.sleep(0.2)
    raise CliError(f"topic {topic!r} does not exist (the worker or `news-ingest topics create` makes it)")


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

    async def main() -> None:
        await reach_broker(settings)
        await tail_topic(settings, topic, from_beginning=from_beginning, follow=follow, limit=limit)

    asyncio.run(main())
