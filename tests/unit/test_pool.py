"""The process pool turns hangs, crashes and errors of one document into that document's StageError."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from workers.errors import ExtractionFailed, StageCrashed, StageTimeout
from workers.runtime.pool import PoolUnavailable, StagePool


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def _fail() -> None:
    raise ExtractionFailed("nothing here", reason="no_content")


def _bug() -> None:
    raise KeyError("missing")


def _die() -> None:
    os._exit(3)


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


@pytest.fixture(scope="module")
def pool():
    pool = StagePool(1, max_tasks=0, memory_mb=512)
    yield pool
    pool.close()


def run(pool: StagePool, fn, *args, timeout: float = 5.0):
    return asyncio.run(pool.run(fn, *args, timeout=timeout))


def test_a_hanging_document_times_out_and_the_pool_keeps_working(pool: StagePool) -> None:
    started = time.monotonic()
    with pytest.raises(StageTimeout):
        run(pool, _sleep, 30, timeout=0.5)
    assert time.monotonic() - started < 10
    assert run(pool, _sleep, 0) == "done"


def test_stage_errors_keep_their_reason_across_the_process_boundary(pool: StagePool) -> None:
    with pytest.raises(ExtractionFailed) as caught:
        run(pool, _fail)
    assert caught.value.reason == "no_content"


def test_unexpected_exceptions_and_dead_processes_become_stage_crashed(pool: StagePool) -> None:
    with pytest.raises(StageCrashed, match="KeyError"):
        run(pool, _bug)
    with pytest.raises(StageCrashed):
        run(pool, _die)
    assert run(pool, _sleep, 0) == "done"


def test_memory_cap_stops_one_document_not_the_worker(pool: StagePool) -> None:
    with pytest.raises(StageCrashed) as caught:
        run(pool, _allocate, 2048)
    assert caught.value.reason in {"out_of_memory", "stage_crashed"}
    assert run(pool, _allocate, 8) == 8 * 1024 * 1024


def _process_groups() -> tuple[int, int]:
    """The process group of the pool process and of its parent, the fork server."""
    return os.getpgrp(), os.getpgid(os.getppid())


def test_pool_processes_and_their_fork_server_are_out_of_reach_of_signals_to_the_workers_group(
        pool: StagePool) -> None:
    # A SIGTERM or Ctrl-C to the worker's process group must not kill the document in flight: when
    # the fork server was left in the group, its death took the pool process with it (exit 255)
    # and the document was dead-lettered as a crash.
    own, fork_server = run(pool, _process_groups)
    assert own != os.getpgrp()
    assert fork_server != os.getpgrp()


def test_a_stopped_pool_is_not_blamed_on_the_document() -> None:
    stopped = StagePool(1, max_tasks=0)
    stopped.close()
    with pytest.raises(PoolUnavailable):
        run(stopped, _sleep, 0)

