"""End-to-end cost of the Kafka path: the same real pages through `enrich` and through the broker.

    python -m bench.pipeline [--pages 300] [--workers 2]

Prints throughput (articles/s), produce -> enriched latency percentiles (p50/p95/p99) and peak
memory for the Kafka path (real broker, one `news-ingest worker` process), next to the offline
`enrich` driver on the same pages in the same run, and their ratio. Also the event loop's CPU per
record per hop: the worker's main thread (agents, producer, tables; read from /proc around each
run) over records x 4 stage hops, as measured and net of the idle loop (its CPU per second with
nothing coming in, times the run's length), beside the `enrich` driver's loop thread on the same pages.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import statistics
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.cputime import process_cpu, thread_cpu
from bench.devdata import rows
from tests.support.workers import WorkerProcess
from workers.cli.enrich import enrich_stream
from workers.devtools.localkafka import LocalKafka
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
from workers.settings import Settings
from workers.topics import ensure_topics


def pages(count: int) -> list[bytes]:
    """Real pages from trafilatura's evaluation set, as raw events (ids unique to this run)."""
    records = []
    for row in rows("extraction_snippets.00.jsonl.gz"):
        records.append(orjson.dumps({"id": f"bench-{row['id']}", "url": row["url"], "html": row["html"]}))
        if len(records) == count:
            break
    return records


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def offline(settings: Settings, records: list[bytes]) -> dict[str, float]:
    warm = io.BytesIO()
    asyncio.run(enrich_stream(settings, io.BytesIO(b"\n".join(records[:4]) + b"\n"), warm))
    sink = io.BytesIO()
    started, cpu = time.perf_counter(), time.thread_time()
    asyncio.run(enrich_stream(settings, io.BytesIO(b"\n".join(records) + b"\n"), sink))
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"articles_per_s": len(records) / elapsed, "seconds": elapsed,
            "loop_ms_per_hop": cpu * 1000 / (len(records) * len(settings.stage_names())),
            "peak_rss_mb_driver": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_rss_mb_pool_process": children}


def _peak_rss_mb(pid: int) -> tuple[float, float]:
    """VmHWM of a process and the largest of its children (the pool processes)."""
    def hwm(p: int) -> float:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(c) for c in task.read_text().split()]
    grandchildren = []
    for child in children:
        for task in Path(f"/proc/{child}/task").glob("*/children"):
            grandchildren += [int(c) for c in task.read_text().split()]
    return hwm(pid), max((hwm(c) for c in children + grandchildren), default=0.0)


async def _through_kafka(settings: Settings, records: list[bytes], timeout: float,
                         rate: float | None = None) -> dict[str, float]:
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    in_stages: list[float] = []  # per record, the stages' own time (timings_ms), beside its latency
    consumer = AIOKafkaConsumer(settings.topic_enriched, settings.topic_deadletter, **aiokafka_options(settings),
                                group_id=None, auto_offset_reset="earliest", fetch_max_bytes=MAX_MESSAGE_BYTES)
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", max_request_size=MAX_MESSAGE_BYTES,
                                linger_ms=5)
    await consumer.start()
    await producer.start()
    seen: set[str] = set()
    started = last = time.time()

    async def send_all() -> None:
        for record in records:
            key = orjson.loads(record)["id"]
            sent_at[key] = time.time()
            await producer.send(settings.topic_raw, value=record, key=key.encode())
            if rate:
                await producer.flush()
                await asyncio.sleep(1 / rate)
        await producer.flush()

    try:
        sending = asyncio.create_task(send_all())  # consume while producing: latency is per record
        deadline = time.monotonic() + timeout
        while len(seen) < len(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.time()
            for messages in batch.values():
                for message in messages:
                    key = message.key.decode()
                    if key in sent_at and key not in seen:
                        seen.add(key)
                        latencies.append(now - sent_at[key])
                        in_stages.append(_stage_seconds(message.value))
                        last = now
        await sending
    finally:
        await producer.stop()
        await consumer.stop()
    if len(seen) < len(records):
        raise SystemExit(f"only {len(seen)} of {len(records)} records came out within {timeout:.0f} s")
    slowest = sorted(range(len(latencies)), key=latencies.__getitem__)[-max(1, len(latencies) // 20):]
    return {"articles_per_s": len(records) / (last - started), "seconds": last - started,
            "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000, "mean_ms": statistics.fmean(latencies) * 1000,
            "stages_p50_ms": percentile(in_stages, 50) * 1000,
            "between_p50_ms": percentile([t - s for t, s in zip(latencies, in_stages, strict=True)], 50) * 1000,
            "slowest_stages_ms": statistics.fmean(in_stages[i] for i in slowest) * 1000,
            "slowest_between_ms": statistics.fmean(latencies[i] - in_stages[i] for i in slowest) * 1000}


def _stage_seconds(value: bytes | None) -> float:
    """The stages' own time for one output event (its `provenance.timings_ms`; 0 for a dead letter)."""
    try:
        event = orjson.loads(value or b"{}")
    except orjson.JSONDecodeError:
        return 0.0
    timings = (event.get("provenance") or {}).get("timings_ms") or {}
    return sum(timings.values()) / 1000 if isinstance(timings, dict) else 0.0


IDLE_SECONDS = 15.0


def _loop_ms_per_s(pid: int, seconds: float) -> float:
    """The worker's event-loop CPU while nothing comes in (timers, polls): ms per second."""
    before, started = thread_cpu(pid), time.monotonic()
    time.sleep(seconds)
    return (thread_cpu(pid) - before) * 1000 / (time.monotonic() - started)


def _per_hop(cpu_s: float, idle_ms_per_s: float, seconds: float, hops: int) -> tuple[float, float]:
    """Event-loop ms per record per hop: as measured, and net of what the idle loop burns in that time."""
    total = cpu_s * 1000
    return total / hops, max(0.0, total - idle_ms_per_s * seconds) / hops


def kafka_path(settings: Settings, records: list[bytes], workdir: Path, rate: float) -> dict[str, float]:
    asyncio.run(ensure_topics(settings))
    worker = WorkerProcess(settings, workdir, name="bench").start()
    try:
        assert worker.process is not None
        pid, hops = worker.process.pid, len(records) * len(settings.stage_names())
        warm = [orjson.dumps({**orjson.loads(r), "id": f"warm-{i}"}) for i, r in enumerate(records[:4])]
        asyncio.run(_through_kafka(settings, warm, timeout=180))
        idle = _loop_ms_per_s(pid, IDLE_SECONDS)
        loop, process, started = thread_cpu(pid), process_cpu(pid), time.monotonic()
        result = asyncio.run(_through_kafka(settings, records, timeout=900))
        result["loop_ms_per_hop"], result["loop_net_ms_per_hop"] = _per_hop(thread_cpu(pid) - loop, idle,
                                                                            time.monotonic() - started, hops)
        result["process_ms_per_hop"] = (process_cpu(pid) - process) * 1000 / hops
        result["idle_loop_ms_per_s"] = idle
        again = [orjson.dumps({**orjson.loads(r), "id": f"paced-{i}"}) for i, r in enumerate(records)]
        loop, started = thread_cpu(pid), time.monotonic()
        paced = asyncio.run(_through_kafka(settings, again, timeout=900, rate=rate))
        paced["loop_ms_per_hop"], paced["loop_net_ms_per_hop"] = _per_hop(thread_cpu(pid) - loop, idle,
                                                                          time.monotonic() - started, hops)
        result.update({f"paced_{k}": v for k, v in paced.items()})
        result["peak_rss_mb_worker"], result["peak_rss_mb_pool_process"] = _peak_rss_mb(worker.process.pid)
    finally:
        worker.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="pool processes")
    args = parser.parse_args()
    records = pages(args.pages)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pipeline-")))
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            bootstrap = stack.enter_context(LocalKafka(home=Settings().kafka_home)).bootstrap_servers
        run = uuid.uuid4().hex[:8]
        settings = Settings().model_copy(update={
            "kafka_bootstrap_servers": bootstrap, "app_id": f"bench-{run}", "data_dir": workdir / "data",
            "pool_workers": args.workers,
            **{f"topic_{n}": f"bench{run}.{n}" for n in ("raw", "extracted", "normalized", "tagged", "enriched",
                                                           "deadletter")}})
        print(f"pages: {len(records)} real HTML pages (extraction_snippets), pool processes: {args.workers}, "
              f"cpus: {os.cpu_count()}")
        off = offline(settings, records)
        print(f"enrich (offline):  {off['articles_per_s']:7.1f} articles/s  ({off['seconds']:.1f} s)  "
              f"peak RSS driver {off['peak_rss_mb_driver']:.0f} MB, pool {off['peak_rss_mb_pool_process']:.0f} MB")
        rate = off["articles_per_s"] / 2
        kaf = kafka_path(settings, records, workdir, rate)
        print(f"kafka (worker):    {kaf['articles_per_s']:7.1f} articles/s  ({kaf['seconds']:.1f} s)  "
              f"peak RSS worker {kaf['peak_rss_mb_worker']:.0f} MB, pool {kaf['peak_rss_mb_pool_process']:.0f} MB")
        print(f"kafka latency produce->enriched: p50 {kaf['p50_ms']:.0f} ms, p95 {kaf['p95_ms']:.0f} ms, "
              f"p99 {kaf['p99_ms']:.0f} ms (burst: all {len(records)} sent at once, so this is mostly queueing)")
        print(f"kafka latency at {rate:.1f} articles/s (half the offline rate): p50 {kaf['paced_p50_ms']:.0f} ms, "
              f"p95 {kaf['paced_p95_ms']:.0f} ms, p99 {kaf['paced_p99_ms']:.0f} ms; of that, in the stages "
              f"(timings_ms) / between them (queues, hops): median record {kaf['paced_stages_p50_ms']:.0f} / "
              f"{kaf['paced_between_p50_ms']:.0f} ms, the slowest 5 % {kaf['paced_slowest_stages_ms']:.0f} / "
              f"{kaf['paced_slowest_between_ms']:.0f} ms on average")
        print(f"kafka path / enrich throughput ratio: {kaf['articles_per_s'] / off['articles_per_s']:.2f}")
        print(f"event-loop CPU per record per hop: worker main thread {kaf['loop_ms_per_hop']:.3f} ms (burst), "
              f"{kaf['paced_loop_ms_per_hop']:.3f} ms (paced); net of the idle loop "
              f"({kaf['idle_loop_ms_per_s']:.1f} ms/s, measured {IDLE_SECONDS:.0f} s with nothing coming in) "
              f"{kaf['loop_net_ms_per_hop']:.3f} / {kaf['paced_loop_net_ms_per_hop']:.3f} ms; whole worker process "
              f"(loop + consumer thread) {kaf['process_ms_per_hop']:.3f} ms (burst); "
              f"enrich driver's loop {off['loop_ms_per_hop']:.3f} ms")


if __name__ == "__main__":
    main()
