"""The container health probe: the port from `Settings`, exit status from the answer, no stages loaded."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workers.devtools.probe import main, probe


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_the_probe_asks_the_port_the_settings_name(health_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_WEB_PORT", str(health_port))
    assert main(["/healthz"]) == 0
    assert main(["/readyz"]) == 1
    assert probe(health_port, "/healthz") == 0


def test_the_probe_fails_when_nothing_answers_or_the_settings_are_invalid(health_port: int,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_WEB_PORT", "not-a-port")
    assert main(["/healthz"]) == 1
    monkeypatch.setenv("NEWS_INGEST_WEB_PORT", str(health_port))
    monkeypatch.setenv("NEWS_INGEST_STAGES", "translate")
    assert main(["/healthz"]) == 1


def test_the_probe_loads_no_stage() -> None:
    """It runs every 15 s in the container: building Settings must not import the stages."""
    code = "import sys, workers.devtools.probe; print(sorted(m for m in sys.modules if m.startswith('workers.stages')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
