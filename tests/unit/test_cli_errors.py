"""Each failure class of the CLI, as a user meets it: the documented exit code, one line on stderr, no traceback.

The commands run as the console script does (`python -m workers`), in a clean environment. The broker
classes that need a real broker (authentication, TLS) are in tests/e2e/test_cli_errors.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

# The documented exit codes (README, "Exit codes"; workers/cli/errors.py). Not imported from there: unit
# tests load no Kafka client, and this is the contract the code must keep.
CONFIG, UNKNOWN_STAGE, INPUT, UNSUPPORTED, OUTPUT, UNREACHABLE, REFUSED = 3, 4, 5, 6, 7, 8, 9
OTHER, USAGE = 1, 2

HTML = ("<html><body><article><p>" + "The council met and agreed on the harbour budget. " * 8
        + "</p></article></body></html>")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
        stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "NEWS_INGEST_"))}
    return subprocess.run([sys.executable, "-m", "workers", *args], env={**clean, **(env or {})}, cwd=cwd,
                          input=stdin, capture_output=True, timeout=120, check=False)


def one_line(result: subprocess.CompletedProcess[bytes], code: int) -> str:
    """The failure line, after checking the exit code and that nothing else went wrong on stderr."""
    stderr = result.stderr.decode()
    assert result.returncode == code, stderr
    for noise in ("Traceback", "Unclosed", "Task exception"):
        assert noise not in stderr, stderr
    failures = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(failures) == 1, stderr
    assert stderr.rstrip().endswith(failures[0]), stderr
    return failures[0]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    return path


def test_a_bad_setting_value_names_its_variable(page: Path) -> None:
    line = one_line(cli("enrich", str(page), env={"NEWS_INGEST_STAGE_TIMEOUT_SECONDS": "abc"}),
                    CONFIG)
    assert "NEWS_INGEST_STAGE_TIMEOUT_SECONDS='abc'" in line
    assert "valid number" in line
    assert "pydantic" not in line


def test_a_missing_broker_setting_says_which_and_what_to_do() -> None:
    line = one_line(cli("tail"), CONFIG)
    assert "KAFKA_BOOTSTRAP_SERVERS is not set" in line
    assert "news-ingest run" in line


def test_an_unknown_stage_from_the_option_or_the_environment(page: Path) -> None:
    line = one_line(cli("enrich", "--stages", "extract,bogus", str(page)), UNKNOWN_STAGE)
    assert "--stages" in line
    assert "'bogus'" in line
    assert "extract" in line
    line = one_line(cli("enrich", str(page), env={"NEWS_INGEST_STAGES": "bogus"}), UNKNOWN_STAGE)
    assert "NEWS_INGEST_STAGES='bogus'" in line
    line = one_line(cli("worker", "--stages", "bogus", env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}),
                    UNKNOWN_STAGE)
    assert "'bogus'" in line


def test_a_missing_input_and_a_directory_without_inputs(tmp_path: Path) -> None:
    line = one_line(cli("enrich", str(tmp_path / "nonexistent.jsonl")), INPUT)
    assert line == f"Error: input {tmp_path / 'nonexistent.jsonl'} does not exist"
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("nothing to read")
    line = one_line(cli("produce", str(tmp_path / "notes"), env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}),
                    INPUT)
    assert "holds no .html/.htm/.txt/.jsonl file" in line


def test_an_unsupported_file_type(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7 binary")
    for command in ("enrich", "produce"):
        line = one_line(cli(command, str(pdf), env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}),
                        UNSUPPORTED)
        assert f"input {pdf}: unsupported file type .pdf" in line
        assert ".jsonl" in line


def test_an_output_that_cannot_be_written(page: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.jsonl"
    line = one_line(cli("enrich", str(page), "--output", str(target)), OUTPUT)
    assert line == f"Error: output {target} cannot be written: No such file or directory"
    line = one_line(cli("enrich", str(page), "--output", str(tmp_path)), OUTPUT)
    assert f"output {tmp_path} cannot be written" in line


@pytest.mark.parametrize("command", [["produce", "PAGE"], ["tail"], ["replay"], ["topics", "create"]])
def test_an_unreachable_broker_is_waited_for_then_one_line(command: list[str], page: Path) -> None:
    servers = f"127.0.0.1:{closed_port()}"
    args = [str(page) if arg == "PAGE" else arg for arg in command]

    result = cli(*args, env={"KAFKA_BOOTSTRAP_SERVERS": servers, "NEWS_INGEST_CONNECT_TIMEOUT_SECONDS": "1.5"})

    line = one_line(result, UNREACHABLE)
    assert line == (f"Error: cannot reach the Kafka broker at {servers} (KAFKA_BOOTSTRAP_SERVERS) within 1.5 s: "
                    "connection refused; start it or fix the address (NEWS_INGEST_CONNECT_TIMEOUT_SECONDS sets how "
                    "long to wait)")
    assert result.stderr.decode().count("waiting for the Kafka broker") == 1


def test_a_worker_without_broker_answers_healthz_not_readyz_then_gives_up(tmp_path: Path) -> None:
    port = closed_port()
    env = {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{closed_port()}", "NEWS_INGEST_CONNECT_TIMEOUT_SECONDS": "8",
           "NEWS_INGEST_WEB_PORT": str(port), "NEWS_INGEST_WEB_HOST": "127.0.0.1",
           "NEWS_INGEST_DATA_DIR": str(tmp_path / "state")}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "NEWS_INGEST_"))}
    worker = subprocess.Popen([sys.executable, "-m", "workers", "worker"], env={**clean, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        answers: dict[str, int] = {}
        bodies: dict[str, bytes] = {}
        deadline = time.monotonic() + 8
        while len(answers) < 2 and time.monotonic() < deadline and worker.poll() is None:
            for probe in ("healthz", "readyz"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{probe}", timeout=1) as response:
                        answers[probe] = response.status
                except urllib.error.HTTPError as exc:
                    answers[probe] = exc.code
                    bodies[probe] = exc.read()
                except OSError:
                    time.sleep(0.2)
        _, stderr = worker.communicate(timeout=60)
    finally:
        worker.kill()
    assert answers == {"healthz": 200, "readyz": 503}
    # the same keys as the running worker's readiness body, so a probe reads one shape
    readiness = json.loads(bodies["readyz"])
    assert readiness["ready"] is False
    assert readiness["recovered"] is False
    assert readiness["assigned_partitions"] == 0
    assert "broker" in readiness["waiting_for"]
    assert worker.returncode == UNREACHABLE
    assert stderr.decode().count("waiting for the Kafka broker") == 1
    assert "Traceback" not in stderr.decode()


def test_debug_log_level_adds_the_traceback(tmp_path: Path) -> None:
    result = cli("enrich", str(tmp_path / "nonexistent.jsonl"), env={"NEWS_INGEST_LOG_LEVEL": "debug"})
    stderr = result.stderr.decode()
    assert result.returncode == INPUT
    assert "Traceback (most recent call last)" in stderr
    assert "InputUnreadable" in stderr
    assert stderr.rstrip().endswith(f"Error: input {tmp_path / 'nonexistent.jsonl'} does not exist")


def test_the_readme_lists_every_exit_code() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| `(\d+)` \|", section, flags=re.MULTILINE)}
    assert documented == {0, OTHER, USAGE, CONFIG, UNKNOWN_STAGE, INPUT, UNSUPPORTED, OUTPUT, UNREACHABLE, REFUSED}
