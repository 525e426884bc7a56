"""The README's run command on a fresh machine with no cluster configured: it brings everything up,
feeds the repository's examples, prints their outcomes and a summary, and exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import orjson
import pytest

from workers.schemas import validator

pytestmark = pytest.mark.e2e


def test_run_without_paths_feeds_the_examples_prints_every_outcome_and_exits(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "NEWS_INGEST_"))}
    env["NEWS_INGEST_DATA_DIR"] = str(tmp_path / "state")
    result = subprocess.run([sys.executable, "-m", "workers", "run"], env=env, capture_output=True, timeout=600,
                            check=False, cwd=tmp_path)

    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr[-3000:]
    events = [orjson.loads(line) for line in result.stdout.splitlines()]
    for event in events:
        assert not list(validator("enriched").iter_errors(event))
    by_file = {(e.get("meta") or {}).get("file", e["id"]): e for e in events}
    assert set(by_file) == {"01-stadtbibliothek.html", "02-stadtbibliothek-agentur.txt", "03-footbridge.txt",
                            "partner-footbridge"}
    assert {e["language"]["code"] for e in events} == {"de", "en"}
    # each pair: whichever copy the worker judged second is a duplicate of the first, in its story cluster
    for pair, status in ((("01-stadtbibliothek.html", "02-stadtbibliothek-agentur.txt"), "near"),
                         (("03-footbridge.txt", "partner-footbridge"), "exact")):
        first, second = sorted((by_file[name] for name in pair), key=lambda e: e["duplicate"]["status"] != "unique")
        assert (first["duplicate"]["status"], second["duplicate"]["status"]) == ("unique", status)
        assert second["duplicate"]["of"] == first["id"] == second["duplicate"]["cluster_id"]
    assert "starting a local Kafka broker" in stderr
    assert "dead letter broken-record (extract: missing_content)" in stderr
    assert stderr.strip().splitlines()[-1] == "5 records: 4 enriched, 1 dead-lettered (missing_content 1)"


def test_run_follow_keeps_printing_after_the_summary_until_it_is_stopped(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "NEWS_INGEST_"))}
    env["NEWS_INGEST_DATA_DIR"] = str(tmp_path / "state")
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("wb") as stderr:
        run = subprocess.Popen([sys.executable, "-m", "workers", "run", "--follow"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=stderr)
    try:
        deadline = time.monotonic() + 300
        while "following new events" not in stderr_path.read_text() and time.monotonic() < deadline:
            assert run.poll() is None, stderr_path.read_text()[-3000:]
            time.sleep(0.5)
        time.sleep(3)
        assert run.poll() is None, "run --follow exited after the examples"
        run.send_signal(signal.SIGTERM)  # as Ctrl-C: the broker and the worker it started are stopped
        stdout, _ = run.communicate(timeout=90)
    finally:
        run.kill()
    assert run.returncode == 0, stderr_path.read_text()[-3000:]
    assert len(stdout.splitlines()) == 4
    assert "5 records: 4 enriched, 1 dead-lettered (missing_content 1)" in stderr_path.read_text()
