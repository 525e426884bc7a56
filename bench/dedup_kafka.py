"""Dedup on the Kafka path: one `news-ingest worker --stages dedup` on pre-tagged records, beside the offline rate.

`python -m bench.dedup_kafka [--articles 20000] [--pool-workers 1]` (also `python -m bench.dedup --kafka N`).
Uses `KAFKA_BOOTSTRAP_SERVERS` or starts a broker from the jars. The records (synthetic bodies of
realistic length with the fields the tag stage fills: language, dates, entities and their summary)
are on `articles.tagged` before the worker starts; the rate is records out from the first to the
last enriched event (the worker drains a backlog, as after a restart or a burst). In the same run
the same records go through the dedup stage offline on one core (prepare + judge + event bytes,
dict store). Also printed: changelog records and bytes per article (read back from the topic), the
RocksDB files of the index per article, and the worker's event-loop CPU per article (its main
thread, read from /proc from ready to drained: both dedup agents, the table and the producer).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.cputime import thread_cpu
from bench.dedup import offline_rate, synthetic_articles
from tests.support.workers import WorkerProcess
from workers.devtools.localkafka import LocalKafka
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
from workers.records import Article
from workers.settings import Settings
from workers.stages.dedup import DedupConfig, Prepared, prepare_bytes
from workers.topics import ensure_topics


def tagged_records(count: int, seed: int = 3) -> list[tuple[bytes, bytes]]:
    """Pre-tagged records: synthetic bodies plus the fields normalise and tag fill, at realistic sizes."""
    rng = random.Random(seed)
    out = []
    for article in synthetic_articles(10_000_000, count, seed=seed):
        assert article.url is not None  # every synthetic article has one: its source is the host
        words = article.text.split()
        spans, at = [], 0
        for _ in range(rng.randint(8, 30)):
            at = article.text.find(" ", at + rng.randint(20, 200))
            if at < 0:
                break
            spans.append({"text": words[min(len(words) - 1, at // 7)], "label": rng.choice(["PER", "ORG", "LOC"]),
                          "start": at + 1, "end": at + 8, "canonical": words[min(len(words) - 1, at // 7)]})
        tagged = Article(id=article.id, text=article.text, url=article.url, source=article.url.split("/")[2],
                         published_at=article.published_at, language={"code": "de", "confidence": 0.99},
                         timezone="Europe/Berlin", published_local=article.published_at, entities=spans,
                         entity_summary=[{"canonical": s["canonical"], "label": s["label"], "count": 1,
                                          "salience": 0.1} for s in spans[:10]], entities_status="ok",
                         timings={"extract": 12.0, "normalize": 3.0, "tag": 40.0})
        out.append((article.id.encode(), tagged.to_bytes()))
    return out


async def _send(settings: Settings, values: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", max_request_size=MAX_MESSAGE_BYTES,
                                linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        for key, value in values:
            await producer.send(settings.topic_tagged, key=key, value=value)
        await producer.flush()
    finally:
        await producer.stop()


def _prepared(value: bytes | str) -> bytes:
    """A prepared record; a synthetic record that failed to prepare (a str, its reason) is a broken bench."""
    if isinstance(value, str):
        raise SystemExit(f"a synthetic record failed to prepare: {value}")
    return value


async def _end_offsets(settings: Settings, topic: str) -> int:
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            # aiokafka has no public call that refreshes a consumer's metadata of a topic it does not read
            await consumer._client.force_metadata_update()  # noqa: SLF001
            partitions = consumer.partitions_for_topic(topic) or set()
        offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(offsets.values())
    finally:
        await consumer.stop()


async def _topic_stats(settings: Settings, topic: str, expected: int) -> tuple[int, int, list[float]]:
    """(records, key + value bytes, append times in s) of a topic, read from the beginning."""
    consumer = AIOKafkaConsumer(topic, **aiokafka_options(settings), group_id=None, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=MAX_MESSAGE_BYTES, fetch_max_bytes=MAX_MESSAGE_BYTES)
    await consumer.start()
    records, size, stamps = 0, 0, []
    try:
        deadline = time.monotonic() + 120
        while records < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=2000, max_records=5000)
            if not batch and records >= expected:
                break
            for messages in batch.values():
                for m in messages:
                    records += 1
                    size += len(m.key or b"") + len(m.value or b"")
                    stamps.append(m.timestamp / 1000)
    finally:
        await consumer.stop()
    return records, size, stamps


def measure(bootstrap: str, articles: int, workdir: Path, pool_workers: int) -> dict[str, float]:
    run_id = uuid.uuid4().hex[:8]
    topics = {f"topic_{n}": f"b{run_id}.{n}" for n in ("raw", "extracted", "normalized", "tagged", "enriched",
                                                       "deadletter")}
    settings = Settings(_env_file=None).model_copy(update={
        "kafka_bootstrap_servers": bootstrap, "app_id": f"bench-{run_id}", "pool_workers": pool_workers, **topics})
    asyncio.run(ensure_topics(settings))
    values = tagged_records(articles)
    cfg = settings.dedup_config()
    offline = offline_rate([v for _, v in values], cfg,
                           lambda batch: [Prepared.from_bytes(_prepared(p)) for p in prepare_bytes(batch, cfg)])
    print(f"offline, one core (prepare + judge + event bytes) on the same {articles:,} records: "
          f"{offline:.0f} records/s")
    asyncio.run(_send(settings, values))
    worker = WorkerProcess(settings, workdir, stages="dedup", name="bench").start()
    try:
        if not worker.wait_for_log("[^Worker]: Ready", timeout=180):
            raise SystemExit("worker did not become ready:\n" + worker.log()[-2000:])
        assert worker.process is not None
        loop_started = thread_cpu(worker.process.pid)
        deadline = time.monotonic() + 1800
        while asyncio.run(_end_offsets(settings, settings.topic_enriched)) < articles:
            if not worker.alive or time.monotonic() > deadline:
                raise SystemExit("worker died or stalled:\n" + worker.log()[-2000:])
            time.sleep(1.0)
        loop_ms = (thread_cpu(worker.process.pid) - loop_started) * 1000 / articles
        out, _, stamps = asyncio.run(_topic_stats(settings, settings.topic_enriched, articles))
        changelog_records, changelog_bytes, _ = asyncio.run(
            _topic_stats(settings, f"{settings.app_id}-dedup-index-changelog",
                         asyncio.run(_end_offsets(settings, f"{settings.app_id}-dedup-index-changelog"))))
    finally:
        worker.stop()
    tables = worker.settings.data_dir
    rocks = sum(f.stat().st_size for f in tables.rglob("*") if f.is_file() and "dedup-index" in str(f))
    stamps.sort()
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    rate = (len(stamps) - 1) / span
    print(f"kafka path, one worker (dedup stage only, {pool_workers} pool process(es)): {out:,} enriched events, "
          f"{rate:.0f} records/s from first to last ({span:.1f} s) = {rate / offline:.2f} x the offline rate; "
          f"changelog {changelog_records / articles:.2f} records and {changelog_bytes / articles:.0f} B per article; "
          f"RocksDB files of the index {rocks / articles:.0f} B per article (before compaction); "
          f"event-loop CPU {loop_ms:.3f} ms per article")
    return {"rate": rate, "offline": offline, "changelog_bytes": changelog_bytes / articles, "loop_ms": loop_ms}


def kafka_report(articles: int, cfg: DedupConfig, pool_workers: int = 1) -> bool:
    del cfg  # the worker takes its config from Settings (the same defaults)
    with tempfile.TemporaryDirectory() as tmp:
        configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if configured:
            r = measure(configured, articles, Path(tmp), pool_workers)
        else:
            with LocalKafka(home=Settings().kafka_home) as broker, contextlib.suppress(KeyboardInterrupt):
                r = measure(broker.bootstrap_servers, articles, Path(tmp), pool_workers)
    return r["rate"] >= 1000 and r["rate"] >= 0.8 * r["offline"] and r["changelog_bytes"] <= 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--pool-workers", type=int, default=1)
    args = parser.parse_args()
    ok = kafka_report(args.articles, DedupConfig(), args.pool_workers)
    print("acceptance (>= 1,000 records/s and >= 0.8 x offline):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
