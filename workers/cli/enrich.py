"""`news-ingest enrich`: the stage chain offline over the inputs `produce` takes, no broker."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import click

from workers.cli.common import load_settings
from workers.cli.errors import OutputUnwritable
from workers.cli.report import Progress, Tally
from workers.cli.sources import Inputs
from workers.runtime.offline import OfflineChain
from workers.runtime.pool import StagePool
from workers.runtime.steps import Steps
from workers.settings import Settings


def _lines(source: Iterable[bytes]) -> Iterable[bytes]:
    for line in source:
        yield line.rstrip(b"\r\n")


async def enrich_stream(settings: Settings, source: Iterable[bytes], sink: IO[bytes],
                        on_line: Callable[[bytes], None] | None = None) -> int:
    """Write one output line per record of `source` (raw-event lines, or a binary file of them), in order."""
    pool = StagePool(settings.pool_workers, max_tasks=settings.pool_max_tasks, memory_mb=settings.pool_memory_mb)
    chain = OfflineChain(Steps(settings, pool), settings.stage_names(), window=settings.pool_workers * 8,
                         max_input_bytes=settings.max_input_bytes)
    count = 0
    try:
        async for line in chain.run(_lines(source)):
            sink.write(line + b"\n")
            count += 1
            if on_line is not None:
                on_line(line)
    finally:
        pool.close()
    return count


def _open_output(path: str, files: ExitStack) -> IO[bytes]:
    if path == "-":
        return sys.stdout.buffer
    try:
        return files.enter_context(Path(path).open("wb"))
    except OSError as exc:
        raise OutputUnwritable(f"output {path} cannot be written: {exc.strerror or exc}") from exc


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--input", "more_paths", multiple=True, hidden=True, help="A path, as PATHS (the older spelling).")
@click.option("--output", "-o", "output_path", default="-", show_default=True, help="Output JSONL file, or -.")
@click.option("--stages", help="Comma-separated subset of extract,normalize,tag,dedup (default: all).")
@click.option("--source", help="Outlet name or domain to set on file records that carry none.")
def enrich(paths: tuple[str, ...], more_paths: tuple[str, ...], output_path: str, stages: str | None,
           source: str | None) -> None:
    """Enrich PATHS offline (.html/.htm, .txt, .jsonl files, directories, or - for JSON lines on stdin; default
    -): one output line (event or dead letter) per record, in order, and a summary on stderr."""
    settings = load_settings(stages=stages)
    inputs = Inputs((*paths, *more_paths) or ("-",), source=source)
    progress = Progress("enrich", inputs.total())
    tally = Tally()

    def done(line: bytes) -> None:
        tally.add(line)
        progress.update()

    with ExitStack() as files:
        sink = _open_output(output_path, files)
        try:
            asyncio.run(enrich_stream(settings, inputs, sink, done))
        finally:
            progress.close()
    click.echo(tally.line(), err=True)
    if inputs.skipped:
        click.echo(inputs.skipped_note(), err=True)
