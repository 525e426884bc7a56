"""`news-ingest run`: the whole pipeline in one command, with a local broker when none is configured."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from workers.cli.common import load_settings, reach_broker
from workers.cli.errors import CliError, InputUnreadable
from workers.cli.produce import produce_inputs
from workers.cli.report import Tally
from workers.cli.sources import Inputs
from workers.devtools.localkafka import LocalKafka, free_port
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.settings import Settings
from workers.topics import ensure_topics

# Written for the project (examples/README.md): what `scripts/run` feeds when it is given no paths.
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--follow", "-f", is_flag=True,
              help="Keep running after the fed records came out, printing new events until Ctrl-C.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="Exit after printing N events.")
def run(paths: tuple[str, ...], follow: bool, limit: int | None) -> None:
    """Start a broker (if KAFKA_BOOTSTRAP_SERVERS is unset), the topics and a worker; feed PATHS (default: the
    repository's examples/articles); print every record's outcome, a summary, and exit.

    Enriched events go to stdout as JSON lines; each dead letter is one line on stderr.
    """
    settings = load_settings()
    if not paths and not EXAMPLES.is_dir():
        raise InputUnreadable(f"no PATHS given and no examples at {EXAMPLES}: name the files to feed")
    inputs = Inputs(paths or (str(EXAMPLES),))
    # SIGTERM (a supervisor, `timeout`) must unwind like Ctrl-C, so the broker and worker we
    # started are stopped rather than orphaned.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    with ExitStack() as stack:
        fresh = not settings.kafka_bootstrap_servers  # our own broker: its topics start empty
        if fresh:
            click.echo("no KAFKA_BOOTSTRAP_SERVERS: starting a local Kafka broker ...", err=True)
            broker = LocalKafka(home=settings.kafka_home)
            stack.callback(broker.close)
            broker.start()
            # A throwaway broker gets throwaway table state: RocksDB offsets from an older broker
            # would not match this one's changelogs.
            settings = settings.model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers,
                                                   "data_dir": broker.workdir / "worker-state"})
            click.echo(f"broker up: KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}", err=True)
        else:
            asyncio.run(reach_broker(settings))
        asyncio.run(ensure_topics(settings))
        worker, log_path = _start_worker(settings, fresh=fresh)
        stack.callback(_stop, worker)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_feed_and_print(settings, inputs, worker, log_path, fresh=fresh, follow=follow, limit=limit))
        if fresh:  # the log of a worker that failed stays (the error names it); a clean run's goes with its broker
            stack.callback(log_path.unlink, missing_ok=True)


def _start_worker(settings: Settings, *, fresh: bool) -> tuple[subprocess.Popen[bytes], Path]:
    """The worker subprocess and its log: in the data dir, or for a throwaway broker (whose folder goes when
    it stops) in a temp file that outlives it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if fresh:
        handle, name = tempfile.mkstemp(prefix="news-ingest-worker-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    else:
        log_path = Path(settings.data_dir) / "worker.log"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
           "NEWS_INGEST_DATA_DIR": str(settings.data_dir)}
    web_port = settings.web_port if _port_free(settings.web_port) else free_port()
    with log_path.open("ab") as log:
        worker = subprocess.Popen([sys.executable, "-m", "workers", "worker", "--web-port", str(web_port)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
    click.echo(f"worker started (pid {worker.pid}, log {log_path}, metrics on :{web_port})", err=True)
    return worker, log_path


async def _feed_and_print(settings: Settings, inputs: Inputs, worker: subprocess.Popen[bytes], log_path: Path,
                          *, fresh: bool, follow: bool, limit: int | None) -> Tally:
    """Send the inputs, then print each one's outcome (enriched event or dead letter) as it arrives.

    On a cluster of the user's, reading starts at the end offsets seen before sending, so only this
    run's outcomes are printed (and, with `follow`, whatever comes after them); the topics of a
    broker started just now are read from the start (their leaders may not answer offset requests
    yet). It ends when every sent record came out.
    """
    topics = (settings.topic_enriched, settings.topic_deadletter)
    consumer = AIOKafkaConsumer(*topics, **aiokafka_options(settings), group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_bytes=MAX_MESSAGE_BYTES)
    tally, pending, printed = Tally(), Counter[str](), 0
    async with started(consumer):
        if not fresh:
            await _start_at_the_end(consumer, topics)
        summary = await produce_inputs(settings, inputs, on_sent=lambda key: pending.update([key]))
        click.echo(summary, err=True)
        started_at, reported = time.monotonic(), False
        click.echo(f"waiting for {pending.total():,} outcome(s) from the worker ...", err=True)
        while (follow or pending.total() > 0) and (limit is None or printed < limit):
            if not reported and not pending.total():
                reported = _report(tally, f"all outcomes in {time.monotonic() - started_at:.1f} s", follow)
            if worker.poll() is not None:
                raise CliError(f"the worker exited with status {worker.returncode}: {_cause(log_path)} (its log: "
                               f"{log_path})")
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    event = orjson.loads(record.value)
                    ours = pending[event["id"]] > 0
                    if not (ours or follow) or (limit is not None and printed >= limit):
                        continue
                    if ours:
                        pending[event["id"]] -= 1
                        tally.add(event)
                    _print(record.topic == settings.topic_deadletter, record.value, event)
                    printed += 1
        if not reported:
            how = (f"all outcomes in {time.monotonic() - started_at:.1f} s" if not pending.total() else
                   f"stopped after {printed:,} event(s), {pending.total():,} outcome(s) still to come")
            _report(tally, how, follow=False)
    return tally


def _report(tally: Tally, how: str, follow: bool) -> bool:
    """The summary, once every fed record came out (or the limit stopped the run)."""
    click.echo(how, err=True)
    click.echo(tally.line(), err=True)
    if follow:
        click.echo("following new events (Ctrl-C to stop) ...", err=True)
    return True


async def _start_at_the_end(consumer: AIOKafkaConsumer, topics: tuple[str, ...]) -> None:
    for _ in range(100):
        assigned = consumer.assignment()
        if {tp.topic for tp in assigned} == set(topics):
            break
        await asyncio.sleep(0.1)
    else:
        raise CliError(f"topics {', '.join(topics)} were not assigned to the reader within 10 s")
    ends: dict[TopicPartition, int] = await consumer.end_offsets(list(assigned))
    for tp, end in ends.items():
        consumer.seek(tp, end)


def _print(dead: bool, value: bytes, event: dict[str, Any]) -> None:
    if dead:
        error = event.get("error", {})
        click.echo(f"dead letter {event.get('id')} ({event.get('stage')}: {error.get('type')}): "
                   f"{error.get('message')}", err=True)
        return
    sys.stdout.buffer.write(value + b"\n")
    sys.stdout.buffer.flush()


# The line a traceback ends with: `workers.stages.tag.stage.ModelUnavailable: NER model ... lacks model.onnx`.
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Unavailable|Failed|Exit)\b: .+")


def _cause(log_path: Path) -> str:
    """What ended the worker, from its log: the last exception line, else the last line."""
    lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    return next((line for line in reversed(lines) if _EXCEPTION_LINE.match(line)), lines[-1] if lines else "")


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
