"""End to end on the real broker: the four stages as a worker process, seeds in, events out."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.devdata import seed_paths
from tests.support.kafka import collect, produce, run
from workers.cli.enrich import enrich_stream
from workers.cli.inputs import file_records
from workers.settings import Settings

pytestmark = pytest.mark.e2e


def seed_records() -> list[bytes]:
    return [record for path in seed_paths() for record in file_records(path)]


def comparable(event: dict[str, Any]) -> dict[str, Any]:
    """An event without what legitimately differs between two runs (timings, dead-letter time)."""
    event = dict(event)
    event.pop("at", None)
    provenance = dict(event.pop("provenance", None) or {})
    provenance.pop("timings_ms", None)
    return {**event, "provenance": provenance}


def test_seeds_come_out_enriched_in_german_dated_2025_12_31(pipeline_settings: Settings, start_worker) -> None:
    start_worker()
    ids = run(produce(pipeline_settings, seed_records()))

    events = run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=2, timeout=120))

    assert sorted(e["id"] for e in events) == sorted(ids)
    for event in events:
        assert event["language"]["code"] == "de"
        assert event["published_at"].startswith("2025-12-31")
    # the seeds are one story: whichever reached dedup first is unique, the other a near copy of it
    first, second = sorted(events, key=lambda e: e["duplicate"]["status"] != "unique")
    assert first["duplicate"]["status"] == "unique"
    assert (second["duplicate"]["status"], second["duplicate"]["of"]) == ("near", first["id"])
    assert second["duplicate"]["cluster_id"] == first["duplicate"]["cluster_id"] == first["id"]


def test_second_copy_of_an_article_is_an_exact_duplicate_of_the_first(pipeline_settings: Settings,
                                                                     start_worker) -> None:
    body = orjson.loads(seed_records()[1])
    first = orjson.dumps({**body, "id": "copy-1"})
    second = orjson.dumps({**body, "id": "copy-2", "source": "another-outlet.example"})
    start_worker()
    run(produce(pipeline_settings, [first]))
    run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=1, timeout=120))
    run(produce(pipeline_settings, [second]))

    events = {e["id"]: e for e in run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=2,
                                                  timeout=60))}

    assert events["copy-1"]["duplicate"]["status"] == "unique"
    assert events["copy-2"]["duplicate"]["status"] == "exact"
    assert events["copy-2"]["duplicate"]["of"] == "copy-1"
    assert events["copy-2"]["duplicate"]["cluster_id"] == events["copy-1"]["duplicate"]["cluster_id"]


BAD_RECORDS = {
    b'{"id": "broken", "text": "unterminated': "invalid_json",
    b'{"id": "neither", "url": "https://example.org/a"}': "missing_content",
    b'{"id": "both", "html": "<p>a</p>", "text": "a"}': "ambiguous_content",
}


def test_bad_records_are_dead_lettered_and_the_stream_keeps_flowing(pipeline_settings: Settings,
                                                                    start_worker) -> None:
    good = seed_records()
    start_worker()
    run(produce(pipeline_settings, [good[0], *BAD_RECORDS, good[1]]))

    dead = run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=3, timeout=120))
    enriched = run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=2, timeout=60))

    assert len(dead) == 3
    by_input = {d["input"].encode(): d for d in dead}
    for record, reason in BAD_RECORDS.items():
        assert by_input[record]["error"]["type"] == reason
        assert by_input[record]["stage"] == "extract"
        assert by_input[record]["error"]["message"]
    assert len(enriched) == 2


def test_enrich_and_the_kafka_path_give_the_same_events(pipeline_settings: Settings, start_worker,
                                                        tmp_path: Path) -> None:
    records = [*seed_records(), *BAD_RECORDS, seed_records()[0]]
    offline = io.BytesIO()
    run(enrich_stream(pipeline_settings, io.BytesIO(b"\n".join(records) + b"\n"), offline))
    offline_events = [orjson.loads(line) for line in offline.getvalue().splitlines()]
    assert len(offline_events) == len(records)

    start_worker()
    # Dedup verdicts depend on which copy reaches the index first. `enrich` reads in file order; on
    # Kafka the records run through partitions side by side, so each article that has an earlier copy
    # is produced only once that copy came out, and both paths see the same order.
    seeds, enriched = set(seed_records()), 0
    for record in records:
        run(produce(pipeline_settings, [record]))
        if record in seeds:
            enriched += 1
            got = run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=enriched, timeout=120))
            assert len(got) == enriched, f"{enriched - len(got)} seed(s) did not come out"
    kafka_events = [
        *run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=3, timeout=120)),
        *run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=3, timeout=60)),
    ]

    def key(event: dict[str, object]) -> bytes:
        return orjson.dumps(comparable(event), option=orjson.OPT_SORT_KEYS)

    assert sorted(map(key, kafka_events)) == sorted(map(key, offline_events))
