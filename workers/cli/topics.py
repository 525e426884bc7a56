"""`news-ingest topics create`: create the pipeline's topics (a one-shot job before the workers start)."""

from __future__ import annotations

import asyncio

import click

from workers.cli.common import load_settings, reach_broker, require_cluster
from workers.topics import all_topics, ensure_topics


@click.group()
def topics() -> None:
    """Manage the pipeline's Kafka topics."""


@topics.command()
def create() -> None:
    """Create missing topics with NEWS_INGEST_TOPIC_PARTITIONS, _REPLICATION and retention; keep existing ones."""
    settings = load_settings()
    require_cluster(settings)

    async def main() -> None:
        await reach_broker(settings)
        await ensure_topics(settings)

    asyncio.run(main())
    for name in all_topics(settings):
        click.echo(f"topic ready: {name} (partitions >= {settings.topic_partitions})")
