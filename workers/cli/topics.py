"""`news-ingest topics create`: create the pipeline's topics (a one-shot job before the workers start)."""

from __future__ import annotations

import asyncio

import click

from workers.cli.common import load_settings, require_cluster
from workers.topics import all_topics, ensure_topics


@click.group()
def topics() -> None:
    """Manage the pipeline's Kafka topics."""


@topics.command()
def create() -> None:
    """Create missing topics with NEWS_INGEST_TOPIC_PARTITIONS, _REPLICATION and retention; keep existing ones."""
    settings = load_settings()
    require_cluster(settings)
    asyncio.run(ensure_topics(settings))
    for name in all_topics(settings):
        click.echo(f"topic ready: {name} (partitions >= {settings.topic_partitions})")
