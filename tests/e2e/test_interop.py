"""Clients that are not ours get the same enrichment as `news-ingest produce` (issue 20), on the real broker.

The seeds and a sample of dev pages go in as a user would send them, `{"id": ..., "text"|"html": ...}`
keyed by id, once each through `news-ingest produce` (a `.jsonl` file), Kafka's console producer from the
broker jars (`kafka.tools.ConsoleProducer`) and confluent-kafka (librdkafka), each into a pipeline of its
own (own topics, one partition, so the duplicate verdicts see the same order), and come back out
through Kafka's console consumer (`kafka-tools`). The events are equal to each other and to `enrich`
on the same records, timings aside.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.devdata import rows, seed_paths
from bench.extraction import visible_text
from tests.support.kafka import run
from tests.support.workers import settings_env
from workers.devtools.localkafka import fetch_jars
from workers.kafka import MAX_MESSAGE_BYTES
from workers.settings import Settings
from workers.topics import ensure_topics

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

WIRE_SEED = "001_"


def user_records() -> list[tuple[str, bytes]]:
    """(id, value): the two seeds as their files are, and five dev pages (HTML, and two as page text)."""
    records = [(p.stem, {"id": p.stem, "text": p.read_text(encoding="utf-8")}) for p in seed_paths()]
    fundus = list(rows("extraction_fundus_eval.jsonl.gz"))
    snippets = list(rows("extraction_snippets.00.jsonl.gz"))
    records += [(f"{row['id']}-html", {"id": f"{row['id']}-html", "url": row["url"], "html": row["html"]})
                for row in (fundus[0], fundus[33], snippets[120])]
    records += [(f"{row['id']}-text", {"id": f"{row['id']}-text", "text": visible_text(row["html"])})
                for row in (fundus[61], snippets[300])]
    return [(rid, orjson.dumps(record)) for rid, record in records]


def java(*args: str, stdin: bytes = b"", timeout: float = 180) -> subprocess.CompletedProcess[bytes]:
    """A Kafka tool from the jars the project resolves (`deploy/kafka/pom.xml`)."""
    lib = fetch_jars()
    result = subprocess.run(["java", "-Xmx256m", "-cp", f"{lib}/*", *args], input=stdin, capture_output=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    return result


def console_produce(settings: Settings, records: list[tuple[str, bytes]]) -> None:
    """`kafka-console-producer`: one `key<TAB>value` line per record (JSON escapes any tab or newline)."""
    lines = b"".join(key.encode() + b"\t" + value + b"\n" for key, value in records)
    java("kafka.tools.ConsoleProducer", "--bootstrap-server", str(settings.kafka_bootstrap_servers),
         "--topic", settings.topic_raw, "--property", "parse.key=true", "--property", "key.separator=\t",
         "--producer-property", "acks=all", "--producer-property", f"max.request.size={MAX_MESSAGE_BYTES}",
         stdin=lines)


def confluent_produce(settings: Settings, records: list[tuple[str, bytes]]) -> None:
    """A plain librdkafka producer, as a Python user's own crawler would send (no code of ours)."""
    from confluent_kafka import Producer  # noqa: PLC0415

    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap_servers, "acks": "all",
                         "enable.idempotence": True, "message.max.bytes": MAX_MESSAGE_BYTES,
                         "partitioner": "murmur2_random"})  # the Java clients' partitioner: same key, same partition
    failed: list[str] = []
    for key, value in records:
        producer.produce(settings.topic_raw, key=key.encode(), value=value,
                         on_delivery=lambda err, msg: failed.append(str(err)) if err else None)
        producer.poll(0)
    assert producer.flush(60) == 0
    assert not failed, failed


def cli_produce(settings: Settings, records: list[tuple[str, bytes]], tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"".join(value + b"\n" for _, value in records))
    result = subprocess.run([sys.executable, "-m", "workers", "produce", str(path)], env=settings_env(settings),
                            capture_output=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr.decode()[-3000:]


def console_consume(settings: Settings, count: int) -> list[dict[str, Any]]:
    """`kafka-console-consumer` from the beginning of the enriched topic, `key<TAB>value` per line."""
    out = java("org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server",
               str(settings.kafka_bootstrap_servers), "--topic", settings.topic_enriched, "--from-beginning",
               "--max-messages", str(count), "--timeout-ms", "240000", "--property", "print.key=true",
               "--property", "key.separator=\t",
               "--consumer-property", f"max.partition.fetch.bytes={MAX_MESSAGE_BYTES}", timeout=300).stdout
    events = []
    for line in out.splitlines():
        key, value = line.split(b"\t", 1)
        event = orjson.loads(value)
        assert event["id"] == key.decode(), "the key of an enriched record is its id"
        events.append(event)
    return events


def comparable(event: dict[str, Any]) -> bytes:
    """An event without what legitimately differs between runs (the stages' timings)."""
    provenance = {k: v for k, v in event["provenance"].items() if k != "timings_ms"}
    return orjson.dumps({**event, "provenance": provenance}, option=orjson.OPT_SORT_KEYS)


@pytest.fixture(scope="module")
def records() -> list[tuple[str, bytes]]:
    return user_records()


@pytest.fixture(scope="module")
def offline(records: list[tuple[str, bytes]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """`news-ingest enrich` on the raw records: the events by id."""
    folder = tmp_path_factory.mktemp("enrich")
    (folder / "in.jsonl").write_bytes(b"".join(value + b"\n" for _, value in records))
    settings = Settings(_env_file=None).model_copy(update={"pool_workers": 1})
    result = subprocess.run([sys.executable, "-m", "workers", "enrich", "--input", str(folder / "in.jsonl"),
                             "--output", str(folder / "out.jsonl")], env=settings_env(settings),
                            capture_output=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    events = [orjson.loads(line) for line in (folder / "out.jsonl").read_bytes().splitlines()]
    assert [e["id"] for e in events] == [rid for rid, _ in records]
    assert not [e for e in events if "error" in e], "every record is enriched"
    return {e["id"]: comparable(e) for e in events}


@pytest.mark.parametrize("client", ["news-ingest produce", "kafka-console-producer", "confluent-kafka"])
def test_a_client_gets_the_events_enrich_gives(client: str, records: list[tuple[str, bytes]],  # noqa: PLR0917
                                               offline: dict[str, bytes], pipeline_settings: Settings,
                                               start_worker, tmp_path: Path) -> None:
    # A pipeline of its own (the fixture's topics and group), with one partition per topic, made before
    # any client sends (the broker would auto-create four).
    settings = pipeline_settings.model_copy(update={"topic_partitions": 1})
    run(ensure_topics(settings))
    start_worker(settings=settings)
    if client == "news-ingest produce":
        cli_produce(settings, records, tmp_path)
    elif client == "kafka-console-producer":
        console_produce(settings, records)
    else:
        confluent_produce(settings, records)
    events = console_consume(settings, len(records))

    assert [e["id"] for e in events] == [rid for rid, _ in records]  # one partition: in the order sent
    by_id = {e["id"]: e for e in events}
    wire = next(e for rid, e in by_id.items() if rid.startswith(WIRE_SEED))
    assert wire["dateline"] == {"place": "WASHINGTON", "agency": "dpa-AFX"}
    assert "/ngu/DP/he" in wire["credits"]
    assert wire["text"].startswith("Der US-Sondergesandte")
    assert (wire["published_at"][:10], wire["published_precision"]) == ("2025-12-31", "day")
    assert {rid: comparable(e) for rid, e in by_id.items()} == offline
