"""`news-ingest run`: the whole pipeline in one command, with a local broker when none is configured."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from workers.cli.common import load_settings
from workers.cli.produce import _records, send_records
from workers.cli.tail import tail_topic
from workers.devtools.localkafka import KafkaSetupError, LocalKafka, free_port
from workers.settings import Settings
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
    # SIGTERM (a supervisor, `timeout`) must unwind like Ctrl-C, so the broker and worker we
    # started are stopped rather than orphaned.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    with ExitStack() as stack:
        if not settings.kafka_bootstrap_servers:
            click.echo("no KAFKA_BOOTSTRAP_SERVERS: starting a local Kafka broker ...", err=True)
            try:
                broker = LocalKafka(home=settings.kafka_home).start()
            except KafkaSetupError as exc:
                raise click.ClickException(str(exc)) from exc
            stack.callback(broker.close)
            # A throwaway broker gets throwaway table state: RocksDB offsets from an older broker
            # would not match this one's changelogs.
            settings = settings.model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers,
                                                   "data_dir": broker.workdir / "worker-state"})
            click.echo(f"broker up: KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}", err=True)
        asyncio.run(ensure_topics(settings))
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = Path(settings.data_dir) / "worker.log"
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
               "NEWS_INGEST_DATA_DIR": str(settings.data_dir)}
        web_port = settings.web_port if _port_free(settings.web_port) else free_port()
        with log_path.open("ab") as log:
            worker = subprocess.Popen([sys.executable, "-m", "workers", "worker", "--web-port", str(web_port)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(_stop, worker)
        click.echo(f"worker started (pid {worker.pid}, log {log_path}, metrics on :{web_port})", err=True)
        if paths:
            count = asyncio.run(send_records(settings, _records(paths, None)))
            click.echo(f"produced {count} record(s) to {settings.topic_raw}", err=True)
        click.echo("waiting for events (Ctrl-C to stop) ...", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_print_while_alive(settings, worker, limit, log_path))


async def _print_while_alive(settings: Settings, worker: subprocess.Popen[bytes], limit: int | None,
                             log_path: Path) -> None:
    """Print enriched events; stop with the worker's last log lines if the worker exits."""
    printing = asyncio.create_task(
        tail_topic(settings, settings.topic_enriched, from_beginning=True, follow=True, limit=limit))
    while not printing.done():
        if worker.poll() is not None:
            printing.cancel()
            tail = log_path.read_text(errors="replace").splitlines()[-15:]
            raise click.ClickException("the worker exited:\n" + "\n".join(tail))
        await asyncio.sleep(0.5)
    await printing


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
