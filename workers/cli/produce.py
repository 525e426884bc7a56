"""`news-ingest produce`: publish files or stdin to the raw topic, keyed by article id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import click
from aiokafka import AIOKafkaProducer

from workers.cli.common import load_settings, reach_broker, require_cluster
from workers.cli.report import Progress, size
from workers.cli.sources import Inputs
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.records import record_id
from workers.settings import Settings


async def send_records(settings: Settings, values: Iterable[bytes], topic: str | None = None,
                       on_sent: Callable[[str], None] | None = None) -> int:
    """Send values keyed by their article id; returns the count once every send is acknowledged."""
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", enable_idempotence=True,
                                max_request_size=MAX_MESSAGE_BYTES, linger_ms=5)
    count = 0
    async with started(producer):
        pending = []
        for value in values:
            key = record_id(None, value)
            pending.append(await producer.send(topic or settings.topic_raw, value=value, key=key.encode()))
            count += 1
            if on_sent is not None:
                on_sent(key)
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    return count


async def produce_inputs(settings: Settings, inputs: Inputs, topic: str | None = None,
                         on_sent: Callable[[str], None] | None = None) -> str:
    """Wait for the broker, send every record of `inputs` with progress; the summary line."""
    await reach_broker(settings)
    progress = Progress("produce", inputs.total())

    def sent(key: str) -> None:
        progress.update()
        if on_sent is not None:
            on_sent(key)

    try:
        count = await send_records(settings, inputs, topic, sent)
    finally:
        progress.close()
    summary = (f"produced {count:,} record{'s' if count != 1 else ''} ({size(inputs.size)}) to "
               f"{topic or settings.topic_raw}")
    return summary + (f"; {inputs.skipped_note()}" if inputs.skipped else "")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--source", help="Outlet name or domain to set on file records that carry none.")
@click.option("--topic", help="Topic to publish to (default: the raw topic).")
def produce(paths: tuple[str, ...], source: str | None, topic: str | None) -> None:
    """Publish .html/.htm, .txt and .jsonl files, directories of them, or - (JSON lines on stdin) to the raw topic."""
    settings = load_settings()
    require_cluster(settings)
    inputs = Inputs(paths, source=source)
    click.echo(asyncio.run(produce_inputs(settings, inputs, topic)), err=True)
