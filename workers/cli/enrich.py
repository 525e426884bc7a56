"""`news-ingest enrich`: the stage chain offline over raw-event JSON lines, no broker."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO

import click

from workers.cli.common import load_settings
from workers.runtime.offline import OfflineChain
from workers.runtime.pool import StagePool
from workers.runtime.steps import Steps
from workers.settings import Settings


def _lines(source: IO[bytes]) -> Iterator[bytes]:
    for line in source:
        yield line.rstrip(b"\r\n")


async def enrich_stream(settings: Settings, source: IO[bytes], sink: IO[bytes]) -> int:
    pool = StagePool(settings.pool_workers, max_tasks=settings.pool_max_tasks, memory_mb=settings.pool_memory_mb)
    chain = OfflineChain(Steps(settings, pool), settings.stage_names(), window=settings.pool_workers * 8,
                         max_input_bytes=settings.max_input_bytes)
    count = 0
    try:
        async for line in chain.run(_lines(source)):
            sink.write(line + b"\n")
            count += 1
    finally:
        pool.close()
    return count


@click.command()
@click.option("--input", "input_path", default="-", show_default=True, help="Raw-event JSONL file, or -.")
@click.option("--output", "output_path", default="-", show_default=True, help="Output JSONL file, or -.")
@click.option("--stages", help="Comma-separated subset of extract,normalize,tag,dedup (default: all).")
def enrich(input_path: str, output_path: str, stages: str | None) -> None:
    """Enrich raw events offline: exactly one output line (event or dead letter) per input line."""
    settings = load_settings(stages=stages)
    with ExitStack() as files:
        source = sys.stdin.buffer if input_path == "-" else files.enter_context(open(input_path, "rb"))  # noqa: PTH123
        sink = sys.stdout.buffer if output_path == "-" else files.enter_context(open(output_path, "wb"))  # noqa: PTH123
        count = asyncio.run(enrich_stream(settings, source, sink))
    click.echo(f"enriched {count} record(s)", err=True)
