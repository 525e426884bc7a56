"""CPU seconds of another process's thread, read from /proc: the benchmarks' event-loop cost figure.

A Faust worker runs its event loop (agents, producer, tables) on the main thread, whose id is
the process id; the aiokafka consumer has a thread of its own. Reading the main thread's
counters before and after a run, from outside, measures the loop without touching the worker.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def parse_stat(line: str) -> float:
    """utime + stime in seconds from one /proc/.../stat line (the name in parentheses may hold spaces)."""
    fields = line[line.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # fields 14 and 15 of proc(5), counted from 1


def thread_cpu(pid: int, tid: int | None = None) -> float:
    """CPU seconds (user + system) thread `tid` of `pid` used so far; the main thread by default."""
    return parse_stat(Path(f"/proc/{pid}/task/{tid or pid}/stat").read_text())


def process_cpu(pid: int) -> float:
    """CPU seconds of all threads of `pid` (not its children: the pool processes are apart)."""
    return parse_stat(Path(f"/proc/{pid}/stat").read_text())
