"""Dedup on the Kafka path: one `news-ingest worker --stages dedup`, N articles, end-to-end rate.

`python -m bench.dedup_kafka [--articles 3000]`. Uses `KAFKA_BOOTSTRAP_SERVERS` or starts a broker
from the jars. Prints articles/s from first send to last enriched event, and the changelog records
written per article (what the index costs the broker).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.dedup import synthetic_stream
from bench.dedup_devset import load_or_build
from tests.support.kafka import collect
from tests.support.workers import WorkerProcess
from workers.devtools.localkafka import LocalKafka
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
from workers.settings import Settings
from workers.topics import ensure_topics


async def _send(settings: Settings, values: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", max_request_size=MAX_MESSAGE_BYTES,
                                linger_ms=5)
    await producer.start()
    try:
        for key, value in values:
            await producer.send(settings.topic_tagged, key=key, value=value)
        await producer.flush()
    finally:
        await producer.stop()


async def _end_offsets(settings: Settings, topic: str) -> int:
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(offsets.values())
    finally:
        await consumer.stop()


def measure(bootstrap: str, articles: int, workdir: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    topics = {f"topic_{n}": f"b{run_id}.{n}" for n in ("raw", "extracted", "normalized", "tagged", "enriched",
                                                       "deadletter")}
    settings = Settings(_env_file=None).model_copy(update={
        "kafka_bootstrap_servers": bootstrap, "app_id": f"bench-{run_id}", "pool_workers": 1, **topics})
    asyncio.run(ensure_topics(settings))
    docs = load_or_build()
    stream = synthetic_stream(docs, seed=3)
    values = [(a.id.encode(), a.to_bytes()) for a in (next(stream) for _ in range(articles))]
    worker = WorkerProcess(settings, workdir, stages="dedup", name="bench").start()
    try:
        if not worker.wait_for_log("[^Worker]: Ready", timeout=120):
            raise SystemExit("worker did not become ready:\n" + worker.log()[-2000:])
        started = time.perf_counter()
        asyncio.run(_send(settings, values))
        while asyncio.run(_end_offsets(settings, settings.topic_enriched)) < articles:
            if not worker.alive:
                raise SystemExit("worker died:\n" + worker.log()[-2000:])
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        changelog = asyncio.run(_end_offsets(settings, f"{settings.app_id}-dedup-index-changelog"))
        events = asyncio.run(collect(settings, settings.topic_enriched, count=articles, timeout=60))
    finally:
        worker.stop()
    stage_ms = statistics.median(e["provenance"]["timings_ms"]["dedup"] for e in events)
    print(f"kafka path, 1 dedup worker: {articles} articles in {elapsed:.1f} s = {articles / elapsed:.0f} articles/s "
          f"(send to last enriched event); {changelog / articles:.1f} changelog records per article; "
          f"median {stage_ms:.2f} ms in the stage function (over the Faust table)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if configured:
            measure(configured, args.articles, Path(tmp))
            return
        with LocalKafka(home=Settings().kafka_home) as broker, contextlib.suppress(KeyboardInterrupt):
            measure(broker.bootstrap_servers, args.articles, Path(tmp))


if __name__ == "__main__":
    main()
