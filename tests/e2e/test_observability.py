"""Health, readiness, metrics and JSON logs of a real worker process on the real broker."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_pipeline import seed_records
from tests.support.kafka import collect, produce, run
from workers.devtools.probe import main as probe_main
from workers.devtools.probe import probe
from workers.settings import Settings

pytestmark = pytest.mark.e2e

BAD = b'{"id": "broken", "text": "unterminated'


def get(port: int, path: str) -> tuple[int, bytes]:
    """(status, body) of GET http://127.0.0.1:port/path; status 0 while nothing listens yet."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, keyed by (name, sorted labels)."""
    status, body = get(port, "/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples}


def value(metrics: dict[Any, float], name: str, **labels: str) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


def wait_until(check: Any, timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    return check()


def test_readyz_turns_ready_after_assignment_and_healthz_answers(start_worker, monkeypatch) -> None:
    worker = start_worker()
    seen: list[tuple[int, dict[str, Any]]] = []

    def ready() -> bool:
        status, body = get(worker.web_port, "/readyz")
        if status:
            seen.append((status, orjson.loads(body)))
        return status == 200

    assert wait_until(ready, timeout=90, interval=0.05), f"never ready: {seen[-3:]}\n{worker.log()[-3000:]}"

    not_ready = [body for status, body in seen if status == 503]
    assert not_ready, f"the first answer was already 'ready': {seen[:3]}"
    assert not not_ready[0]["recovered"]
    assert seen[-1][1]["assigned_partitions"] > 0
    assert seen[-1][1]["recovered"]
    assert not seen[-1][1]["rebalancing"]
    assert "_on_partitions_assigned" in worker.log()
    status, body = get(worker.web_port, "/healthz")
    assert (status, orjson.loads(body)) == (200, {"alive": True})
    # the image's HEALTHCHECK command (port from the settings), against the same worker
    monkeypatch.setenv("NEWS_INGEST_WEB_PORT", str(worker.web_port))
    assert probe_main(["/healthz"]) == 0
    assert probe(worker.web_port, "/no-such-page") == 1


def test_counters_move_when_records_flow_and_one_is_dead_lettered(pipeline_settings: Settings,
                                                                  start_worker) -> None:
    worker = start_worker(settings=pipeline_settings.model_copy(update={"log_format": "json"}))
    assert wait_until(lambda: get(worker.web_port, "/readyz")[0] == 200, timeout=90), worker.log()[-3000:]
    before = samples(worker.web_port)
    assert value(before, "news_ingest_records_in_total", stage="extract") == 0

    ids = run(produce(pipeline_settings, [*seed_records(), BAD]))
    run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=2, timeout=120))
    run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=1, timeout=60))
    after = wait_until(lambda: (m := samples(worker.web_port))
                       and value(m, "news_ingest_records_out_total", stage="dedup") == 2 and m, timeout=10)

    assert value(after, "news_ingest_records_in_total", stage="extract") == 3
    assert value(after, "news_ingest_records_out_total", stage="extract") == 2
    assert value(after, "news_ingest_deadlettered_total", stage="extract", reason="invalid_json") == 1
    for stage in ("normalize", "tag", "dedup"):
        assert value(after, "news_ingest_records_in_total", stage=stage) == 2
        assert value(after, "news_ingest_records_out_total", stage=stage) == 2
    assert value(after, "news_ingest_processing_seconds_count", stage="extract") == 3
    assert value(after, "news_ingest_processing_seconds_sum", stage="extract") > 0
    assert sum(v for (name, _), v in after.items() if name == "news_ingest_duplicates_total") == 2
    assert value(after, "news_ingest_dedup_index_size") >= 1

    def raw_lag() -> dict[str, float] | None:
        lags = {dict(labels)["partition"]: v for (name, labels), v in samples(worker.web_port).items()
                if name == "news_ingest_consumer_lag" and dict(labels)["topic"] == pipeline_settings.topic_raw}
        return lags if lags and not any(lags.values()) else None

    assert wait_until(raw_lag, timeout=30, interval=0.5), "raw-topic lag never reported as drained"

    lines = [orjson.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    dead = [e for e in lines if e.get("article_id") == ids[-1] and e.get("stage") == "extract"]
    assert dead, "no JSON log line names the dead-lettered article and its stage"
    assert dead[0]["level"] == "warning"
    assert dead[0]["reason"] == "invalid_json"


def test_a_worker_is_not_ready_while_a_new_member_joins_the_group(start_worker) -> None:
    first = start_worker()
    assert wait_until(lambda: get(first.web_port, "/readyz")[0] == 200, timeout=90), first.log()[-3000:]
    second = start_worker()
    statuses: list[int] = []

    def both_ready() -> bool:
        statuses.append(get(first.web_port, "/readyz")[0])
        return get(second.web_port, "/readyz")[0] == 200 and statuses[-1] == 200

    assert wait_until(both_ready, timeout=120, interval=0.05), second.log()[-3000:]
    assert 503 in statuses, "the first worker stayed ready through the rebalance"
    assert get(first.web_port, "/healthz")[0] == 200
