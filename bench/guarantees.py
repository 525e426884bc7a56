"""What the commit interval costs, and what a rebalance re-delivers, on a real broker.

    python -m bench.guarantees cost [--articles 1000] [--rounds 2] [--configs 2.8,0.5]
    python -m bench.guarantees rebalance [--articles 2000] [--intervals 2.8,0.5,2.8,0.5]

`cost` runs the same synthetic articles through one warm worker per commit interval (at-least-once,
the only guarantee offered), rotating the order each round, in the same run: throughput (articles/s
from the first record produced to the last outcome read) and outcomes per article.
`rebalance` has a second worker join and leave mid-stream for each commit interval and counts
outcomes per article (anything above 1 is a redelivery).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.support.articles import articles
from tests.support.progress import Outcomes
from tests.support.workers import WorkerProcess
from workers.devtools.localkafka import LocalKafka
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
from workers.records import record_id
from workers.settings import Settings


def fresh_settings(bootstrap: str, workdir: Path, **update: Any) -> Settings:
    run = uuid.uuid4().hex[:8]
    topics = {f"topic_{n}": f"b{run}.{n}" for n in ("raw", "extracted", "normalized", "tagged", "enriched",
                                                     "deadletter")}
    return Settings(_env_file=None).model_copy(update={
        "kafka_bootstrap_servers": bootstrap, "app_id": f"bench-{run}", "data_dir": workdir / run, **topics,
        **update})


async def produce_all(settings: Settings, values: list[bytes]) -> None:
    """Send every value (keyed by id) and wait for all acks: a crawler pushing a batch."""
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", max_request_size=MAX_MESSAGE_BYTES,
                                linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(settings.topic_raw, value=v, key=record_id(None, v).encode())
                   for v in values]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def drain(settings: Settings, expected: set[str], *, timeout: float, settle: float = 3.0,
                consumer: AIOKafkaConsumer | None = None) -> tuple[dict[str, int], float | None]:
    """Count committed outcomes per id until all expected ids came out (then `settle` s more for
    late redeliveries); return the counts and the monotonic time the last expected id arrived."""
    own = consumer is None
    if consumer is None:
        consumer = await outcome_consumer(settings)
    counts: dict[str, int] = {}
    complete_at: float | None = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if complete_at is not None and time.monotonic() > complete_at + settle:
                break
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    article_id = orjson.loads(record.value)["id"]
                    counts[article_id] = counts.get(article_id, 0) + 1
            if complete_at is None and expected <= counts.keys():
                complete_at = time.monotonic()
    finally:
        if own:
            await consumer.stop()
    return counts, complete_at


async def outcome_consumer(settings: Settings) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(settings.topic_enriched, settings.topic_deadletter, **aiokafka_options(settings),
                                group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed", fetch_max_bytes=MAX_MESSAGE_BYTES)
    await consumer.start()
    return consumer


def summary(expected: set[str], counts: dict[str, int]) -> dict[str, int]:
    return {"articles": len(expected), "lost": len(expected - counts.keys()),
            "outcomes": sum(counts.values()), "ids_with_duplicates": sum(1 for n in counts.values() if n > 1)}


async def measure_cost(settings: Settings, workdir: Path, count: int, seed: int) -> dict[str, Any]:
    """Warm the worker on a few articles, then time a batch of `count` through all four stages."""
    worker = WorkerProcess(settings, workdir, name=settings.app_id).start()
    try:
        warm = articles(8, seed=seed + 1000, prefix=f"warm{seed}")
        await produce_all(settings, warm)
        _, warm_done = await drain(settings, {record_id(None, v) for v in warm}, timeout=300, settle=0)
        if warm_done is None:
            raise RuntimeError(f"worker never warmed up:\n{worker.log()[-2000:]}")
        batch = articles(count, seed=seed, prefix=f"cost{seed}")
        expected = {record_id(None, v) for v in batch}
        consumer = await outcome_consumer(settings)
        started = time.monotonic()
        await produce_all(settings, batch)
        counts, done = await drain(settings, expected, timeout=900, consumer=consumer)
        await consumer.stop()
    finally:
        worker.stop()
    counts = {k: v for k, v in counts.items() if k in expected}
    elapsed = (done or time.monotonic()) - started
    return {"commit_interval_s": settings.commit_interval_seconds, **summary(expected, counts),
            "seconds": round(elapsed, 1), "articles_per_s": round(count / elapsed, 1) if done else 0.0}


def cost(bootstrap: str, workdir: Path, count: int, rounds: int, *, pool_workers: int, configs: list[str]) -> None:
    """Each commit interval on the same articles, in a rotating order per round."""
    results: dict[str, list[float]] = {config: [] for config in configs}
    for round_no in range(rounds):
        shift = round_no % len(configs)
        for interval in configs[shift:] + configs[:shift]:
            settings = fresh_settings(bootstrap, workdir, pool_workers=pool_workers,
                                      commit_interval_seconds=float(interval))
            result = asyncio.run(measure_cost(settings, workdir, count, seed=100 + round_no))
            print(f"round {round_no + 1}, commit interval {interval} s: {result}", flush=True)
            results[interval].append(result["articles_per_s"])
    baseline = statistics.median(results[configs[0]])
    for config, rates in results.items():
        median = statistics.median(rates)
        print(f"{config}: median {median:.1f} articles/s over {len(rates)} rounds {rates}; "
              f"{median / baseline:.2f} x {configs[0]}")


def rebalance(bootstrap: str, workdir: Path, count: int, intervals: list[float], pool_workers: int) -> None:
    """Join and leave mid-stream: a second worker joins when 20 % of the articles came out and leaves
    at 60 % (keyed on progress, so both rebalances happen while records flow, whatever the speed)."""
    for run_no, interval in enumerate(intervals):
        settings = fresh_settings(bootstrap, workdir, commit_interval_seconds=interval, pool_workers=pool_workers)
        batch = articles(count, seed=3, prefix=f"reb{run_no}")
        expected = {record_id(None, v) for v in batch}
        asyncio.run(produce_all(settings, batch))
        outcomes = Outcomes(settings).start()
        first = WorkerProcess(settings, workdir, name=f"first-{run_no}").start()
        second = WorkerProcess(settings, workdir, name=f"second-{run_no}")
        marks = []
        deadline = time.monotonic() + 900
        try:
            for fraction in (0.2, 0.6, 1.0):
                while outcomes.done(expected) < fraction * count:
                    if time.monotonic() > deadline or not first.alive:
                        raise RuntimeError(f"no progress; first worker:\n{first.log()[-3000:]}")
                    time.sleep(0.1)
                marks.append(outcomes.done(expected))
                if fraction == 0.2:
                    second.start()
                elif fraction == 0.6:
                    second.stop()
            time.sleep(5)
        finally:
            first.stop()
            second.stop()
            outcomes.stop()
        counts = {k: v for k, v in outcomes.counts.items() if k in expected}
        print(f"commit interval {interval:g} s: {summary(expected, counts)}; joined at {marks[0]}, "
              f"left at {marks[1]} articles out", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["cost", "rebalance"])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--intervals", default="2.8,0.5,2.8,0.5")
    parser.add_argument("--configs", default="2.8,0.5",
                        help="cost mode: commit intervals in seconds, the first is the baseline")
    parser.add_argument("--pool-workers", type=int, default=1)
    args = parser.parse_args()
    with (tempfile.TemporaryDirectory(prefix="news-ingest-guarantees-") as tmp,
          LocalKafka(home=Settings().kafka_home) as broker):
        workdir = Path(tmp)
        if args.mode == "cost":
            cost(broker.bootstrap_servers, workdir, args.articles, args.rounds, pool_workers=args.pool_workers,
                 configs=args.configs.split(","))
        else:
            rebalance(broker.bootstrap_servers, workdir, args.articles,
                      [float(x) for x in args.intervals.split(",")], args.pool_workers)


if __name__ == "__main__":
    main()
