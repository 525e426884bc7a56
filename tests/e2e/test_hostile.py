"""The hostile corpus on the real broker: one specific outcome per item, the worker never exits,
records behind the nasty ones keep flowing and the worker's memory stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.corpus import corpus
from tests.hostile.expectations import check_outcome
from tests.support.articles import articles
from tests.support.kafka import outcomes_by_id, produce, run
from workers.records import record_id
from workers.settings import Settings

pytestmark = pytest.mark.e2e

MEMORY_BOUND_MB = 1500


def peak_rss_mb(pid: int) -> float:
    """The largest VmHWM among the worker and its descendants (pool processes, forkserver)."""
    pids, peak = [pid], 0.0
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        peak = max(peak, *(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")))
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            pids += [int(child) for child in task.read_text().split()]
    return peak


def test_hostile_corpus_gets_specific_outcomes_and_the_stream_keeps_flowing(pipeline_settings: Settings,
                                                                            start_worker) -> None:
    settings = pipeline_settings.model_copy(update={"stage_timeout_seconds": 10.0})
    items = corpus()
    behind = articles(20, seed=11, prefix="behind")
    worker = start_worker(settings=settings)
    run(produce(settings, [item.value for item in items] + behind))

    expected = {record_id(None, item.value): item for item in items}
    seen = run(outcomes_by_id(settings, set(expected) | {record_id(None, b) for b in behind}, timeout=300))

    for article_id, item in expected.items():
        check_outcome(item, seen.get(article_id, []))
    assert all(len(seen.get(record_id(None, b), [])) == 1 for b in behind)
    assert worker.alive, worker.log()[-3000:]
    assert worker.process is not None
    peak = peak_rss_mb(worker.process.pid)
    print(f"peak RSS of the largest worker process: {peak:.0f} MB")
    assert peak < MEMORY_BOUND_MB
