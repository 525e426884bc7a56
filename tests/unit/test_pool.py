"""The process pool turns hangs, crashes and errors of one document into that document's StageError."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

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



def _report_and_sleep(pid_file: str, seconds: float) -> int:
    with Path(pid_file).open("a") as out:
        out.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return os.getpid()


def _pids_written(pid_file: str, count: int, timeout: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Path(pid_file).exists():
            pids = [int(line) for line in Path(pid_file).read_text().split()]
            if len(pids) >= count:
                return pids
        time.sleep(0.05)
    raise AssertionError(f"no {count} pid(s) in {pid_file}")


def test_a_process_killed_under_a_document_runs_it_again_in_a_fresh_one(pool: StagePool, tmp_path) -> None:
    # An operator's or the OOM killer's SIGKILL is not the document's fault: it is retried once.
    pid_file = str(tmp_path / "pids")

    async def kill_the_first_try() -> int:
        task = asyncio.ensure_future(pool.run(_report_and_sleep, pid_file, 2.0, timeout=30))
        first = (await asyncio.to_thread(_pids_written, pid_file, 1))[0]
        os.kill(first, signal.SIGKILL)
        return await task

    finished_in = asyncio.run(kill_the_first_try())
    first, second = _pids_written(pid_file, 2)
    assert finished_in == second != first


def test_a_process_that_dies_while_no_document_runs_breaks_the_pool_and_it_says_so() -> None:
    # pebble cannot tell which document such a death belongs to and puts the pool in error: the
    # worker must stop (PoolUnavailable) rather than blame the next document.
    idle = StagePool(1, max_tasks=0)
    try:
        pid = run(idle, os.getpid)
        os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
        with pytest.raises(PoolUnavailable):
            run(idle, _sleep, 0)
    finally:
        idle.close()
