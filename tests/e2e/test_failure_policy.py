"""Failure policy on the real broker: whose fault a failure is decides between a dead letter and a stop.

- A stage that fails for every record: the dead-letter rate guard stops the worker once its window
  is full (exit 70, one log line naming stage, share, window and reason), and the group's committed
  offset is not past the record that tripped it: nothing is lost, the rest is read after a restart.
- A killed pool process: the document it held is run again in a fresh process, not dead-lettered;
  a pool that pebble declares broken stops the worker (exit 70), which is restarted as Kubernetes
  would, and every article comes out enriched.

(A missing or corrupt NER model stopping the worker before it consumes: `test_broken_deploy.py`.)
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from tests.support.articles import articles
from tests.support.kafka import collect, outcomes_by_id, produce, run
from tests.support.procs import tree
from tests.support.progress import Outcomes
from tests.support.workers import WorkerProcess
from workers.kafka import aiokafka_options
from workers.runtime.failfast import EXIT_STATUS
from workers.settings import Settings
from workers.topics import ensure_topics

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

WINDOW = 20
BAD_RECORDS = 60


async def committed(settings: Settings, topic: str) -> dict[int, int | None]:
    """The consumer group's committed offset per partition of `topic` (None: nothing committed)."""
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.app_id)
    finally:
        await admin.close()
    return {tp.partition: (meta.offset if meta.offset >= 0 else None) for tp, meta in offsets.items()
            if tp.topic == topic}


def wait_until_exited(worker: WorkerProcess, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while worker.alive and time.monotonic() < deadline:
        time.sleep(0.3)
    return None if worker.process is None else worker.process.poll()


def test_a_stage_that_fails_for_every_record_stops_the_worker_when_the_window_fills_uncommitted(
        pipeline_settings: Settings, tmp_path: Path) -> None:
    # One raw partition and one pool process: records are extracted in offset order, so the record
    # that fills the window (the 20th) is known, and so is what may be committed before it.
    settings = pipeline_settings.model_copy(update={
        "topic_partitions": 1, "deadletter_limit_window": WINDOW, "deadletter_limit_share": 0.5,
        "commit_interval_seconds": 0.2})  # commits while the window fills: none may pass the tripper
    run(ensure_topics(settings))
    bad = [orjson.dumps({"id": f"empty-{i:03d}", "text": ""}) for i in range(BAD_RECORDS)]  # no_content, each
    ids = run(produce(settings, bad))
    tripper = ids[WINDOW - 1]

    worker = WorkerProcess(settings, tmp_path, name="guarded").start()
    try:
        code = wait_until_exited(worker, timeout=240)
    finally:
        worker.stop()
    log = worker.log()
    assert code == EXIT_STATUS, f"the worker did not stop with {EXIT_STATUS}: {code}\n{log[-3000:]}"
    line = next((ln for ln in log.splitlines() if "exiting without committing" in ln), "")
    for part in ("extract failed", "DeadLetterLimitError", f"{WINDOW} of the last {WINDOW} records dead-lettered",
                 "(100%, limit 50%", "most often no_content (20)", f"before routing {tripper}"):
        assert part in line, f"{part!r} not in the guard's log line: {line!r}"

    offsets = run(committed(settings, settings.topic_raw))
    position = offsets.get(0) or 0
    assert position <= WINDOW - 1, f"committed past the record that tripped the guard: {offsets}"
    dead = run(collect(settings, settings.topic_deadletter, count=WINDOW, timeout=15))
    dead_ids = [d["id"] for d in dead]
    assert tripper not in dead_ids, "the record that tripped the guard was dead-lettered"
    assert set(dead_ids) <= set(ids[:WINDOW - 1])
    assert {d["error"]["type"] for d in dead} <= {"no_content"}
    # Faust flushes its producer before it commits: every committed record's dead letter is out.
    assert set(ids[:position]) <= set(dead_ids)
    print(f"guard tripped on {tripper}: committed offset {position}, {len(dead_ids)} dead letters before the stop; "
          f"log: {line}")

    # After the stop nothing is lost: a worker with the guard off (the operator's call once the
    # cause is known) dead-letters every record, the one that tripped the guard included.
    relaxed = settings.model_copy(update={"deadletter_limit_window": 0})
    again = WorkerProcess(relaxed, tmp_path, name="relaxed").start()
    try:
        seen = run(outcomes_by_id(relaxed, set(ids), timeout=240))
        assert again.alive, again.log()[-3000:]
    finally:
        again.stop()
    assert sorted(set(ids) - seen.keys()) == []
    assert all(e["error"]["type"] == "no_content" for events in seen.values() for e in events)


def pool_processes(worker_pid: int) -> tuple[int | None, list[int]]:
    """The worker's fork server and the pool processes it forked (the resource tracker is neither)."""
    def parent(pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return -1

    def cmdline(pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""

    servers = [p for p in tree(worker_pid) if parent(p) == worker_pid and "multiprocessing.forkserver" in cmdline(p)]
    server = servers[0] if servers else None
    return server, [p for p in tree(worker_pid) if server is not None and parent(p) == server]


def busy_pool_process(worker_pid: int, timeout: float = 60) -> int:
    """A pool process that is running (state R) now: it holds a document."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in pool_processes(worker_pid)[1]:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state == "R":
                return pid
        time.sleep(0.02)
    raise AssertionError("no busy pool process found")


RETRIED = "a stage process died under a document"


class Supervisor:
    """Restarts the worker when it exits with the fail-fast status, as Kubernetes would; keeps the causes."""

    def __init__(self, worker: WorkerProcess) -> None:
        self.worker = worker
        self.causes: list[str] = []

    def check(self) -> None:
        if self.worker.alive:
            return
        assert self.worker.process is not None
        code = self.worker.process.returncode
        assert code == EXIT_STATUS, f"the worker exited with {code}:\n{self.worker.log()[-3000:]}"
        stops = [ln for ln in self.worker.log().splitlines() if "exiting without committing" in ln]
        self.causes.append(stops[-1].split("not the record's: ", 1)[-1] if stops else "?")
        self.worker.start()

    def wait_for(self, progress: Outcomes, ids: set[str], count: float, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while progress.done(ids) < count and time.monotonic() < deadline:
            self.check()
            time.sleep(0.2)
        return progress.done(ids)


def test_killed_pool_processes_lose_nothing_and_dead_letter_nothing(pipeline_settings: Settings,
                                                                    start_worker) -> None:
    values = articles(120, seed=21, prefix="poolkill")
    ids = run(produce(pipeline_settings, values))
    expected = set(ids)
    progress = Outcomes(pipeline_settings).start()
    worker = start_worker(name="pool-victim")
    supervisor = Supervisor(worker)
    at: list[tuple[str, int]] = []
    try:
        for share in (0.15, 0.35, 0.55):  # one busy pool process SIGKILLed, as an operator or the OOM killer would
            at.append(("one", supervisor.wait_for(progress, expected, share * len(ids), timeout=480)))
            assert worker.process is not None
            os.kill(busy_pool_process(worker.process.pid), signal.SIGKILL)
        at.append(("pool", supervisor.wait_for(progress, expected, 0.75 * len(ids), timeout=480)))
        assert worker.process is not None
        server, children = pool_processes(worker.process.pid)
        assert server is not None, "no fork server to kill"
        assert children, "no pool process to kill"
        for pid in [server, *children]:  # the whole pool at once: fork server and its processes
            os.kill(pid, signal.SIGKILL)
        supervisor.wait_for(progress, expected, len(ids), timeout=480)
    finally:
        progress.stop()
    assert all(0 < n < len(ids) for _, n in at), f"the kills did not land mid-stream: {at}"

    seen = run(outcomes_by_id(pipeline_settings, expected, timeout=120))
    assert sorted(expected - seen.keys()) == [], "articles lost"
    dead = [e for events in seen.values() for e in events if "error" in e]
    assert dead == [], f"dead-lettered because of the kills: {dead[:3]}"
    assert all(any("duplicate" in e for e in seen[i]) for i in ids)
    retried = worker.log().count(RETRIED)
    assert retried >= 1, "no kill landed on a document in flight: the test did not test the retry"
    supervisor.check()
    print(f"kills at {at} articles out: {retried} document(s) run again in a fresh process, "
          f"restarts after a fail-fast stop: {supervisor.causes}, {sum(len(v) for v in seen.values())} outcomes "
          f"for {len(ids)} articles, 0 dead letters")


def test_a_broken_pool_stops_the_worker_uncommitted_and_a_restart_enriches_what_it_held(
        pipeline_settings: Settings, start_worker) -> None:
    # A pool process that dies while no document runs is one pebble cannot place: it declares the
    # pool broken. The next records must not be blamed (dead-lettered) nor committed: the worker exits.
    first = articles(1, seed=22, prefix="before-break")
    ids = run(produce(pipeline_settings, first))
    worker = start_worker(name="broken-pool")
    supervisor = Supervisor(worker)  # a fail-fast stop before the break (none is expected) is restarted
    progress = Outcomes(pipeline_settings).start()
    try:
        assert supervisor.wait_for(progress, set(ids), len(ids), timeout=240) == len(ids), worker.log()[-3000:]
    finally:
        progress.stop()
    assert worker.process is not None
    idle = pool_processes(worker.process.pid)[1]
    assert idle, "no pool process"
    before, deadline = 0, time.monotonic() + 60
    while before < len(ids) and time.monotonic() < deadline:  # the first article's raw offset committed
        before = sum(o or 0 for o in run(committed(pipeline_settings, pipeline_settings.topic_raw)).values())
        time.sleep(0.5)
    assert before == len(ids), f"the first article's offset was never committed: {before}"
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    time.sleep(2)
    logged = len(worker.log())
    held = run(produce(pipeline_settings, articles(5, seed=23, prefix="after-break")))
    code = wait_until_exited(worker, timeout=120)
    log = worker.log()[logged:]
    assert code == EXIT_STATUS, f"the worker kept running on a broken pool ({code}):\n{log[-3000:]}"
    assert "PoolUnavailable" in log
    after = sum(o or 0 for o in run(committed(pipeline_settings, pipeline_settings.topic_raw)).values())
    assert after == before, f"raw offsets committed past records the broken pool never processed: {before} -> {after}"

    worker.start()  # as the supervisor would
    seen = run(outcomes_by_id(pipeline_settings, set(ids + held), timeout=240))
    assert sorted(set(held) - seen.keys()) == [], "articles lost"
    assert [e for events in seen.values() for e in events if "error" in e] == []
    print(f"broken pool: exit {code}, raw committed {before} before and {after} after the stop, earlier "
          f"fail-fast restarts {supervisor.causes}, "
          f"{len(held)} held records enriched after the restart")
