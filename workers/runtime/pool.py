"""Runs CPU-heavy stage functions in worker processes, with a per-document time limit.

Why pebble: a `concurrent.futures` pool cannot stop a task that hangs (a pathological page in lxml),
so the event loop would stay healthy but the pool would fill with stuck work. pebble kills the
process that runs past its timeout and starts a new one. Processes are also recycled after
`max_tasks` documents and capped in address space, so caches and leaks cannot grow without bound.

Who is at fault when a pool process dies: a process killed under a document (an operator, the OOM
killer) is retried once in a fresh process, and a second death dead-letters the document. A killed
fork server is started again by multiprocessing on the next process it must fork. What pebble
cannot place (a process that died while no task ran) puts the pool in error, and every document
then gets `PoolUnavailable`: the worker stops, uncommitted, and its supervisor restarts it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import resource
from collections.abc import Callable
from typing import Any, TypeVar

import pebble

from workers.errors import InfrastructureError, StageCrashed, StageError, StageTimeout

T = TypeVar("T")

log = logging.getLogger(__name__)

_WATCH_SECONDS = 1.0  # how often a waiting document checks that the pool is still alive


def _init_process(max_bytes: int) -> None:
    """Cap the address space (the process group was left by the fork server: `workers.runtime.poolserver`)."""
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


class PoolUnavailable(InfrastructureError):
    """The pool is stopped or broken: not the document's fault, so it is not dead-lettered.

    The worker exits instead (`workers.runtime.failfast`) without committing the record, and it is
    processed again after the restart.
    """


class StagePool:
    """A process pool for stage functions; a document's failure comes back as a `StageError`."""

    def __init__(self, workers: int, *, max_tasks: int = 500, memory_mb: int = 0) -> None:
        # forkserver, not fork: the worker forks after aiokafka started threads, and a fork of a
        # threaded process can inherit a held lock. The server preloads the stage modules and models once,
        # so recycled processes start warm.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["workers.runtime.poolserver", "workers.runtime.steps", "workers.runtime.warm"])
        self._pool = pebble.ProcessPool(max_workers=workers, max_tasks=max_tasks, context=context,
                                        initializer=_init_process, initargs=(memory_mb * 1024 * 1024,))
        self._workers = workers
        self._in_flight = 0

    @property
    def idle(self) -> int:
        """Processes with no document of this event loop's given or queued: what a split may use now."""
        return max(0, self._workers - self._in_flight)

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:
        """`fn(*args)` in a pool process; a failure comes back as the document's `StageError` or ours.

        A pool process that dies under a document (SIGKILL from an operator or the OOM killer) does
        not prove the document guilty: it runs once more in a fresh process, and only a second death
        dead-letters it (`stage_crashed`, a poison record). Each try has the full time limit.
        """
        self._in_flight += 1
        try:
            return await self._run(fn, args, timeout)
        finally:
            self._in_flight -= 1

    async def _run(self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        try:
            return await self._attempt(fn, args, timeout)
        except pebble.ProcessExpired as first:
            log.warning("a stage process died under a document (exit code %s): running it once more in a fresh "
                        "process", first.exitcode)
            try:
                return await self._attempt(fn, args, timeout)
            except pebble.ProcessExpired as second:
                raise StageCrashed(f"stage process died twice on this input (exit codes {first.exitcode}, "
                                   f"{second.exitcode}); likely out of memory") from second

    async def _attempt(self, fn: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        """One try; a dead process comes back as `pebble.ProcessExpired`, for `run` to decide."""
        try:
            future = self._pool.schedule(fn, args=args, timeout=timeout)
        except Exception as exc:  # the pool refused the task: stopped or broken, whatever the document
            raise PoolUnavailable(f"stage pool unavailable: {type(exc).__name__}: {exc}") from exc
        waiting = asyncio.wrap_future(future)
        try:
            # A task queued just as pebble declares the pool broken is never run nor failed: watch the pool.
            while not (await asyncio.wait({waiting}, timeout=_WATCH_SECONDS))[0]:
                if not self._pool.active:
                    raise PoolUnavailable("stage pool broke while a document waited in it")
        finally:
            if not waiting.done():  # given up (broken pool, or the agent cancelled): the task goes too
                waiting.cancel()
        try:
            return waiting.result()
        except pebble.ProcessExpired:
            raise
        except BaseException as exc:
            raise _as_stage_error(exc, timeout) from exc

    def close(self) -> None:
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join(timeout=10)


def _as_stage_error(exc: BaseException, timeout: float) -> BaseException:
    """A task's failure by type: the document's (a `StageError`), or ours (raised unchanged, or as
    `PoolUnavailable`); an import error in a pool process is a broken deploy, not a bad page. A dead
    process (`pebble.ProcessExpired`) never gets here: `StagePool.run` retries it first."""
    if isinstance(exc, StageError | InfrastructureError | ImportError):
        return exc
    if isinstance(exc, concurrent.futures.TimeoutError | TimeoutError):
        return StageTimeout(f"stage did not finish within {timeout:g} s")
    if isinstance(exc, concurrent.futures.BrokenExecutor | concurrent.futures.CancelledError):
        return PoolUnavailable(f"stage pool unavailable: {type(exc).__name__}: {exc}")
    if isinstance(exc, MemoryError):
        return StageCrashed("stage ran out of memory on this input", reason="out_of_memory")
    if isinstance(exc, RecursionError):
        return StageCrashed("input nests too deeply to process", reason="too_deep")
    if isinstance(exc, Exception):
        return StageCrashed(f"{type(exc).__name__}: {exc}")
    return exc
