"""`news-ingest worker`: run the Faust worker for all stages or a subset."""

from __future__ import annotations

import asyncio
import gc

import click
import faust

from workers.cli.common import load_settings, reach_broker, require_cluster
from workers.cli.errors import CliError
from workers.logging import logging_config
from workers.runtime.app import create_app
from workers.runtime.web import serve_waiting_probes
from workers.settings import Settings
from workers.topics import ensure_topics


async def _wait_for_broker(settings: Settings) -> None:
    """The patient start: the probes answer (alive, not ready) while the broker is not up yet."""
    try:
        probes = await serve_waiting_probes(settings.web_host, settings.web_port,
                                            f"the Kafka broker at {settings.kafka_bootstrap_servers}")
    except OSError as exc:
        raise CliError(f"cannot serve /healthz on {settings.web_host}:{settings.web_port}: {exc.strerror or exc}; "
                       "set NEWS_INGEST_WEB_PORT (or --web-port) to a free port") from exc
    try:
        await reach_broker(settings)
    finally:
        await probes.cleanup()
    await ensure_topics(settings)


@click.command()
@click.option("--stages", help="Comma-separated subset of extract,normalize,tag,dedup (default: all).")
@click.option("--web-port", type=int, help="Port for /metrics, /healthz and /readyz.")
def worker(stages: str | None, web_port: int | None) -> None:
    """Run the stage agents as one member of the consumer group."""
    settings = load_settings(stages=stages, web_port=web_port)
    require_cluster(settings)
    asyncio.run(_wait_for_broker(settings))
    app = create_app(settings)
    # What start-up made (modules, the app, its agents and topics) lives as long as the process:
    # frozen, it is left out of the collector's full passes, which otherwise walk it every time
    gc.freeze()
    faust.Worker(app, loglevel=settings.log_level, quiet=True,
                 logging_config=logging_config(settings.log_format, settings.log_level)).execute_from_commandline()
