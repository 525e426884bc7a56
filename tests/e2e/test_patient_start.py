"""A worker and a producer started before their broker (as in compose or Kubernetes) wait for it, say so
once, answer /healthz but not /readyz meanwhile, and work normally once it is up. Real broker, started
10 s late on the port they were given."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest

from tests.support.kafka import collect, run
from tests.support.workers import WorkerProcess, settings_env
from workers.devtools.localkafka import LocalKafka
from workers.settings import Settings

pytestmark = pytest.mark.e2e

WAITING = "waiting for the Kafka broker at"


def probe(port: int, path: str) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def test_a_worker_started_10_s_before_its_broker_consumes_normally_once_it_is_up(tmp_path: Path) -> None:
    # The broker's port is chosen now; it starts 10 s after the worker and the producer.
    broker = LocalKafka(workdir=tmp_path / "broker", home=Settings(_env_file=None).kafka_home)
    settings = Settings(_env_file=None).model_copy(update={
        "kafka_bootstrap_servers": broker.bootstrap_servers, "app_id": "patient", "pool_workers": 1,
        "session_timeout_seconds": 12.0, "connect_timeout_seconds": 120.0, "web_host": "127.0.0.1"})
    story = tmp_path / "story.jsonl"
    story.write_bytes(orjson.dumps({"id": "early-bird", "language": "en",
                                    "text": "The harbour ferry resumed its winter timetable on Monday. " * 8}) + b"\n")
    worker = WorkerProcess(settings, tmp_path, name="early").start()
    producer = subprocess.Popen([sys.executable, "-m", "workers", "produce", str(story)], env=settings_env(settings),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(10)
        assert worker.alive, worker.log()[-3000:]
        assert producer.poll() is None, worker.log()[-3000:]
        assert probe(worker.web_port, "/healthz") == 200
        assert probe(worker.web_port, "/readyz") == 503

        broker.start()

        _, produced = producer.communicate(timeout=120)
        assert producer.returncode == 0, produced.decode()[-3000:]
        assert produced.decode().count(WAITING) == 1
        assert produced.decode().strip().endswith(f"to {settings.topic_raw}")
        [event] = run(collect(settings, settings.topic_enriched, count=1, timeout=240))
        assert event["id"] == "early-bird"
        assert "ferry" in event["text"]
        deadline = time.monotonic() + 60
        while probe(worker.web_port, "/readyz") != 200 and time.monotonic() < deadline:
            time.sleep(1)
        assert probe(worker.web_port, "/readyz") == 200, worker.log()[-3000:]
        assert worker.alive
        assert worker.log().count(WAITING) == 1
    finally:
        producer.kill()
        worker.stop()
        broker.close()
