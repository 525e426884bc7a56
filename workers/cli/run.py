"""`news-ingest run`: the whole pipeline in one command, with a local broker when none is configured."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from workers.cli.common import load_settings
from workers.cli.produce import _records, send_records
from workers.cli.tail import tail_topic
from workers.localkafka import KafkaSetupError, LocalKafka
from workers.topics import ensure_topics


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--limit", "-n", type=click.IntRange(min=1),
              help="Exit after printing N enriched/dead-letter events (default: run until Ctrl-C).")
def run(paths: tuple[str, ...], limit: int | None) -> None:
    """Start the broker (if KAFKA_BOOTSTRAP_SERVERS is unset), the topics and a worker; feed PATHS; print events.

    Enriched events go to stdout as JSON lines; dead-letter events go to stderr.
    """
    settings = load_settings()
    with ExitStack() as stack:
        if not settings.kafka_bootstrap_servers:
            click.echo("no KAFKA_BOOTSTRAP_SERVERS: starting a local Kafka broker ...", err=True)
            try:
                broker = LocalKafka().start()
            except KafkaSetupError as exc:
                raise click.ClickException(str(exc)) from exc
            stack.callback(broker.close)
            settings = settings.model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers})
            click.echo(f"broker up: KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}", err=True)
        asyncio.run(ensure_topics(settings))
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = Path(settings.data_dir) / "worker.log"
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or ""}
        with log_path.open("ab") as log:
            worker = subprocess.Popen([sys.executable, "-m", "workers", "worker"], env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
        stack.callback(_stop, worker)
        click.echo(f"worker started (pid {worker.pid}, log {log_path})", err=True)
        if paths:
            count = asyncio.run(send_records(settings, _records(paths, None)))
            click.echo(f"produced {count} record(s) to {settings.topic_raw}", err=True)
        click.echo("waiting for events (Ctrl-C to stop) ...", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(tail_topic(settings, settings.topic_enriched, from_beginning=True, follow=True, limit=limit))


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
