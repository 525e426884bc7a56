"""The benchmarks' event-loop CPU figure reads /proc stat lines: the name field may hold spaces and parentheses."""

from __future__ import annotations

import os
import time

from bench.cputime import _TICKS, parse_stat, thread_cpu


def test_utime_and_stime_are_read_after_the_last_parenthesis() -> None:
    fields = ["S", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "250", "50", "0", "0"]
    line = "4242 (python (a) b) " + " ".join(fields) + "\n"
    assert parse_stat(line) == (250 + 50) / _TICKS


def test_the_own_main_thread_counts_up_while_it_spins() -> None:
    before = thread_cpu(os.getpid())
    deadline = time.thread_time() + 0.1
    while time.thread_time() < deadline:
        pass
    assert thread_cpu(os.getpid()) - before >= 0.05
