"""Soak: a longer stream than the CI fault tests, with crashes, a broker restart and rebalances.

    python -m bench.soak [--articles 5000] [--kills 6] [--broker-restart] [--second-worker]
    python -m bench.soak --burst 50000 [--duration 300]

Soak mode streams N synthetic articles into a real broker (from the jars, in a temp dir) while one
worker runs, SIGKILLs the worker's process group at K random points of the stream and restarts it,
optionally restarts the broker and adds then removes a second worker. It prints articles in,
enriched, dead-lettered, lost (must be 0), duplicates emitted, kills and restarts survived, and the
peak memory (VmHWM) of any worker or pool process. A stream that stops making progress (Faust can stop
fetching a partition after a rebalance) is reported as a stall and the worker restarted. It exits 1
if anything was lost.

Burst mode (backpressure) produces N small records at once and samples, every few seconds, the
worker tree's RSS and the consumer group's lag summed over the stage input topics: the series, its
maximum, and whether the lag drained within `--duration`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from bench.guarantees import fresh_settings, produce_all
from tests.support.articles import articles
from tests.support.procs import tree_memory_mb
from tests.support.progress import Outcomes
from tests.support.workers import WorkerProcess
from workers.devtools.localkafka import LocalKafka
from workers.kafka import aiokafka_options
from workers.records import record_id
from workers.settings import Settings


class PeakMemory:
    """Largest VmHWM of any process in the worker trees, sampled until stopped (kills reset VmHWM)."""

    def __init__(self, workers: list[WorkerProcess]) -> None:
        self.workers = workers
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> PeakMemory:
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self.take()

    def take(self) -> None:
        for worker in list(self.workers):
            if worker.alive and worker.process is not None:
                self.peak_mb = max(self.peak_mb, tree_memory_mb(worker.process.pid)["hwm_max"])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.take()


def soak(args: argparse.Namespace, broker: LocalKafka, workdir: Path) -> int:
    rng = random.Random(args.seed)
    settings = fresh_settings(broker.bootstrap_servers, workdir, pool_workers=args.pool_workers)
    batch = articles(args.articles, seed=args.seed, prefix="soak")
    expected = {record_id(None, v) for v in batch}
    # Faults at random points of the stream, keyed on how many articles already came out.
    events = [(rng.uniform(0.05, 0.95), "kill") for _ in range(args.kills)]
    if args.broker_restart:
        events.append((rng.uniform(0.2, 0.8), "broker"))
    if args.second_worker:
        join = rng.uniform(0.1, 0.6)
        events += [(join, "join"), (join + 0.2, "leave")]
    events.sort()

    outcomes = Outcomes(settings).start()
    main = WorkerProcess(settings, workdir, name="main").start()
    workers = [main]
    memory = PeakMemory(workers).start()
    started = time.monotonic()
    # The stream arrives while the worker runs: ten chunks, one every few seconds.
    chunks = [batch[i::10] for i in range(10)]

    def stream() -> None:
        for chunk in chunks:
            asyncio.run(produce_all(settings, chunk))
            time.sleep(3)

    producer = threading.Thread(target=stream, daemon=True)
    producer.start()
    survived = {"kill": 0, "broker": 0, "join": 0, "leave": 0}
    second: WorkerProcess | None = None
    deadline = started + args.timeout
    stalls: list[str] = []

    def wait_for(target: float) -> None:
        """Wait until `target` articles came out; a stream that makes no progress for `--stall-seconds`
        (a consumer that stopped fetching after a rebalance) is reported and its worker restarted."""
        last, since = outcomes.done(expected), time.monotonic()
        while outcomes.done(expected) < target and time.monotonic() < deadline:
            time.sleep(0.2)
            if outcomes.done(expected) != last:
                last, since = outcomes.done(expected), time.monotonic()
            elif time.monotonic() - since > args.stall_seconds:
                stalls.append(f"{last}/{len(expected)} out at {time.monotonic() - started:.0f} s")
                print(f"  STALL: no outcome for {args.stall_seconds:.0f} s at {stalls[-1]}; restarting the worker",
                      flush=True)
                main.kill()
                main.start()
                since = time.monotonic()

    for fraction, what in events:
        wait_for(fraction * len(expected))
        at = f"{outcomes.done(expected)}/{len(expected)} out, {time.monotonic() - started:.0f} s"
        if what == "kill":
            main.kill()
            main.start()
        elif what == "broker":
            broker.stop()
            time.sleep(3)
            broker.start()
        elif what == "join":
            second = WorkerProcess(settings, workdir, name="second").start()
            workers.append(second)
        elif what == "leave" and second is not None:
            second.stop()
        survived[what] += 1
        print(f"  {what} at {at}", flush=True)
    producer.join()
    wait_for(len(expected))
    finished = time.monotonic() - started
    time.sleep(5)  # late redeliveries still count as duplicates
    memory.stop()
    outcomes.stop()
    alive = main.alive
    for worker in workers:
        worker.stop()

    counts = {k: v for k, v in outcomes.counts.items() if k in expected}
    dead = {k: v for k, v in outcomes.dead.items() if k in expected}
    lost = expected - counts.keys()
    print(f"articles in:          {len(expected)}")
    enriched = outcomes.enriched & expected
    print(f"enriched:             {len(enriched)}")
    print(f"dead-lettered:        {len(dead)} ({len(set(dead) & enriched)} of them also enriched by a redelivery)")
    for article_id, reason in sorted(dead.items()):
        print(f"    {article_id}: {reason}")
    print(f"lost:                 {len(lost)} {sorted(lost)[:5]}")
    print(f"duplicates emitted:   {sum(counts.values()) - len(counts)} "
          f"(on {sum(1 for n in counts.values() if n > 1)} ids)")
    print(f"kills survived:       {survived['kill']} (SIGKILL of the worker's process group, then restart)")
    print(f"broker restarts:      {survived['broker']}; second worker joined/left: "
          f"{survived['join']}/{survived['leave']}")
    print(f"stalls (no progress for {args.stall_seconds:.0f} s, worker restarted): {len(stalls)} {stalls}")
    print(f"worker alive at end:  {alive}")
    print(f"peak memory:          {memory.peak_mb:.0f} MB (largest VmHWM of a worker or pool process)")
    print(f"time to last outcome: {finished:.0f} s ({len(expected) / finished:.1f} articles/s incl. faults)")
    return 1 if lost else 0


async def group_lag(settings: Settings, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> int:
    """Records not yet committed by the worker's group, summed over the stage input topics."""
    sources = [settings.topic_raw, settings.topic_extracted, settings.topic_normalized, settings.topic_tagged]
    parts = [TopicPartition(t, p) for t in sources for p in range(settings.topic_partitions)]
    ends = await consumer.end_offsets(parts)
    try:
        committed = await admin.list_consumer_group_offsets(settings.app_id, partitions=parts)
    except KafkaError:  # the group does not exist yet while the worker starts: nothing committed
        committed = {}
    return sum(end - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
               for tp, end in ends.items())


async def burst_lag_series(settings: Settings, worker: WorkerProcess, duration: float,
                           interval: float) -> list[tuple[float, int, float]]:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None)
    await admin.start()
    await consumer.start()
    series: list[tuple[float, int, float]] = []
    started = time.monotonic()
    try:
        while time.monotonic() - started < duration:
            lag = await group_lag(settings, admin, consumer)
            rss = tree_memory_mb(worker.process.pid)["rss_total"] if worker.process else 0.0
            series.append((time.monotonic() - started, lag, rss))
            print(f"  t={series[-1][0]:6.0f} s  lag={lag:7d}  worker tree RSS={rss:6.0f} MB", flush=True)
            if lag == 0 and len(series) > 2:
                break
            await asyncio.sleep(interval)
    finally:
        await consumer.stop()
        await admin.close()
    return series


def burst(args: argparse.Namespace, broker: LocalKafka, workdir: Path) -> int:
    settings = fresh_settings(broker.bootstrap_servers, workdir, pool_workers=args.pool_workers)
    small = [orjson.dumps({"id": f"burst-{i:06d}", "text": f"Short wire item number {i} about the markets.",
                           "language": "en"}) for i in range(args.burst)]
    started = time.monotonic()
    asyncio.run(produce_all(settings, small))
    print(f"produced {len(small)} small records in {time.monotonic() - started:.0f} s", flush=True)
    worker = WorkerProcess(settings, workdir, name="burst").start()
    try:
        series = asyncio.run(burst_lag_series(settings, worker, args.duration, args.sample_seconds))
        alive = worker.alive
    finally:
        worker.stop()
    lags = [lag for _, lag, _ in series]
    rss = [mb for _, _, mb in series]
    third = max(1, len(rss) // 3)
    print(f"max lag {max(lags)}; last lag {lags[-1]} after {series[-1][0]:.0f} s; drained: {lags[-1] == 0}")
    print(f"worker tree RSS: max {max(rss):.0f} MB; mean of first third {sum(rss[:third]) / third:.0f} MB, "
          f"of last third {sum(rss[-third:]) / third:.0f} MB")
    if len(series) > 1:
        drained = lags[0] - lags[-1]
        rate = drained / (series[-1][0] - series[0][0])
        print(f"drain rate {rate:.0f} records/s (lag summed over 4 stage inputs); worker alive: {alive}")
    return 0 if alive else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--broker-restart", action="store_true")
    parser.add_argument("--second-worker", action="store_true")
    parser.add_argument("--pool-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--stall-seconds", type=float, default=120)
    parser.add_argument("--burst", type=int, default=0, help="burst mode: this many small records at once")
    parser.add_argument("--duration", type=float, default=300, help="burst mode: how long to sample")
    parser.add_argument("--sample-seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="news-ingest-soak-") as tmp:
        workdir = Path(tmp)
        with LocalKafka(workdir=workdir / "broker", home=Settings().kafka_home) as broker:
            code = burst(args, broker, workdir) if args.burst else soak(args, broker, workdir)
    sys.exit(code)


if __name__ == "__main__":
    main()
