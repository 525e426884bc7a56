"""The README's run command on a machine with no cluster configured: it brings everything up."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest

from bench.devdata import seed_paths
from workers.schemas import validator

pytestmark = pytest.mark.e2e


def test_run_starts_a_broker_and_a_worker_and_prints_the_seeds_enriched(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "NEWS_INGEST_"))}
    env["NEWS_INGEST_DATA_DIR"] = str(tmp_path / "state")
    result = subprocess.run([sys.executable, "-m", "workers", "run", *map(str, seed_paths()), "--limit", "2"],
                            env=env, capture_output=True, timeout=300, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    events = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(events) == 2
    for event in events:
        assert not list(validator("enriched").iter_errors(event))
        assert event["language"]["code"] == "de"
    assert b"starting a local Kafka broker" in result.stderr
