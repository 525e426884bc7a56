"""`news-ingest produce`: publish files or stdin to the raw topic, keyed by article id."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from aiokafka import AIOKafkaProducer
from tqdm import tqdm

from workers.cli.common import load_settings, require_cluster
from workers.cli.inputs import file_records
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
from workers.records import record_id
from workers.settings import Settings


def _records(paths: tuple[str, ...], source: str | None) -> Iterator[bytes]:
    files = [Path(p) for p in paths if p != "-"]
    if "-" in paths:
        for line in sys.stdin.buffer:
            if line.strip():
                yield line.rstrip(b"\r\n")
    for path in tqdm(files, unit="file", disable=len(files) < 2, file=sys.stderr):
        yield from file_records(path, source=source)


async def send_records(settings: Settings, values: Iterator[bytes], topic: str | None = None) -> int:
    """Send values keyed by their article id; returns the count once every send is acknowledged."""
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", enable_idempotence=True,
                                max_request_size=MAX_MESSAGE_BYTES, linger_ms=5)
    await producer.start()
    count = 0
    try:
        pending = []
        for value in values:
            key = record_id(None, value).encode()
            pending.append(await producer.send(topic or settings.topic_raw, value=value, key=key))
            count += 1
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return count


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--source", help="Outlet name or domain to set on file records that carry none.")
@click.option("--topic", help="Topic to publish to (default: the raw topic).")
def produce(paths: tuple[str, ...], source: str | None, topic: str | None) -> None:
    """Publish .html/.htm, .txt and .jsonl files (or - for JSON lines on stdin) to the raw topic."""
    settings = load_settings()
    require_cluster(settings)
    count = asyncio.run(send_records(settings, _records(paths, source), topic))
    click.echo(f"produced {count} record(s) to {topic or settings.topic_raw}", err=True)
