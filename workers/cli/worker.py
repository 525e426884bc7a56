"""`news-ingest worker`: run the Faust worker for all stages or a subset."""

from __future__ import annotations

import asyncio

import click
import faust

from workers.cli.common import load_settings, require_cluster
from workers.logging import logging_config
from workers.runtime.app import create_app
from workers.topics import ensure_topics


@click.command()
@click.option("--stages", help="Comma-separated subset of extract,normalize,tag,dedup (default: all).")
@click.option("--web-port", type=int, help="Port for /metrics, /healthz and /readyz.")
def worker(stages: str | None, web_port: int | None) -> None:
    """Run the stage agents as one member of the consumer group."""
    settings = load_settings(stages=stages, web_port=web_port)
    require_cluster(settings)
    try:
        settings.stage_names()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--stages") from exc
    asyncio.run(ensure_topics(settings))
    app = create_app(settings)
    faust.Worker(app, loglevel=settings.log_level, quiet=True,
                 logging_config=logging_config(settings.log_format, settings.log_level)).execute_from_commandline()
