"""Memory of a worker process tree (the worker, its forkserver and pool processes), from /proc."""

from __future__ import annotations

from pathlib import Path


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    pids, found = [pid], []
    while pids:
        current = pids.pop()
        if not Path(f"/proc/{current}").exists():
            continue
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pids += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def status_mb(pid: int, field: str) -> float:
    """A `VmRSS`/`VmHWM`-style line of /proc/PID/status in MB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_memory_mb(pid: int) -> dict[str, float]:
    """RSS summed over the tree, the largest single RSS, and the largest peak (VmHWM) of any process."""
    pids = tree(pid)
    rss = [status_mb(p, "VmRSS") for p in pids]
    return {"rss_total": sum(rss), "rss_max": max(rss, default=0.0),
            "hwm_max": max((status_mb(p, "VmHWM") for p in pids), default=0.0), "processes": len(pids)}
