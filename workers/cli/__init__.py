"""`news-ingest`: produce, tail, worker, enrich, run, replay, kafka, topics."""

from __future__ import annotations

import click

from workers.cli.enrich import enrich
from workers.cli.errors import CommandGroup
from workers.cli.kafka import kafka
from workers.cli.produce import produce
from workers.cli.replay import replay
from workers.cli.run import run
from workers.cli.tail import tail
from workers.cli.topics import topics
from workers.cli.worker import worker


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-ingest")
def main() -> None:
    """Streaming news-ingest worker: raw articles in, enriched article events out."""


for command in (produce, tail, worker, enrich, run, replay, kafka, topics):
    main.add_command(command)
