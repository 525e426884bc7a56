"""Broker fixtures: one real Kafka broker per test session, fresh topics and group per test.

Only the tests that need a broker load them (`tests/e2e/conftest.py`, `tests/integration/conftest.py`
import them); unit tests never import this module, nor the Kafka clients through it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.workers import WorkerProcess
from workers.devtools.localkafka import LocalKafka
from workers.settings import Settings

_BROKERS: dict[str, str] = {}  # the session's broker, shared by every conftest that imports these fixtures


@pytest.fixture(scope="session")
def kafka_bootstrap(pytestconfig: pytest.Config) -> str:
    """`KAFKA_BOOTSTRAP_SERVERS` when set, else a broker started from the jars (fails, never skips).

    Each conftest that imports this fixture defines it again, so the broker is kept here: e2e and
    integration tests in one session share one broker, stopped when the session ends.
    """
    settings = Settings(_env_file=None)
    if settings.kafka_bootstrap_servers:
        return settings.kafka_bootstrap_servers
    if "local" not in _BROKERS:
        broker = LocalKafka(home=settings.kafka_home).start()
        pytestconfig.add_cleanup(broker.close)
        _BROKERS["local"] = broker.bootstrap_servers
    return _BROKERS["local"]


@pytest.fixture
def pipeline_settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """Settings with topics and consumer group unique to this test."""
    run = uuid.uuid4().hex[:8]
    topics = {f"topic_{n}": f"t{run}.{n}" for n in ("raw", "extracted", "normalized", "tagged", "enriched",
                                                     "deadletter")}
    return Settings(_env_file=None).model_copy(update={
        "kafka_bootstrap_servers": kafka_bootstrap, "app_id": f"test-{run}", "data_dir": tmp_path / "data",
        # A killed worker's partitions move after 12 s instead of the default 60 s: kills stay cheap.
        "pool_workers": 1, "stage_timeout_seconds": 20.0, "session_timeout_seconds": 12.0, **topics})


@pytest.fixture
def start_worker(pipeline_settings: Settings, tmp_path: Path) -> Iterator[object]:
    """Start `news-ingest worker` processes; all are stopped at the end of the test."""
    started: list[WorkerProcess] = []

    def start(*, stages: str | None = None, name: str | None = None, settings: Settings | None = None) -> WorkerProcess:
        worker = WorkerProcess(settings or pipeline_settings, tmp_path, stages=stages,
                               name=name or f"w{len(started)}").start()
        started.append(worker)
        return worker

    yield start
    crashed = [w for w in started if w.process is not None and w.process.poll() is not None and not w.stopped]
    for worker in started:
        worker.stop()
    assert not crashed, "worker exited during the test:\n" + "\n".join(w.log()[-3000:] for w in crashed)
