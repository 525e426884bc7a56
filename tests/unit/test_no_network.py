"""No stage touches the network: a page's images, scripts, canonical links, DTDs and external
entities are never fetched.

Two nets catch an attempt. Python's socket entry points are patched to record and refuse any
connection or name lookup (that covers trafilatura, htmldate, courlan and anything on urllib or
urllib3). A canary HTTP server on loopback, referenced from a crafted XHTML page, counts requests:
that covers fetches that never go through Python's `socket` module (C code, a subprocess). The
libxml2 that lxml 6 bundles (2.14) has no HTTP client, but a different build could have one.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from bench.devdata import rows
from workers.settings import Settings
from workers.stages import dedup, extract, normalize, tag

PAGES = 8
EXTERNAL = (r'<img[^>]+src="https?://', r'rel="canonical"', r'<script[^>]+src="https?://')


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012  (one server per test, reset by the fixture)

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b'<!ENTITY ext "FETCHED">' if self.path.endswith(".dtd") else b"FETCHED"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on loopback that records every request; yields its base URL and the hits."""
    _Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Canary.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Python-level connect or DNS lookup is recorded and refused (even if a library swallows it)."""
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.connect') else args}")
            raise OSError(f"network access attempted in a stage: {name}")
        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    return attempts


def real_pages_with_external_resources() -> list[bytes]:
    """Real news pages (trafilatura's evaluation set) with remote images, scripts and a canonical link."""
    pages = []
    for row in rows("extraction_snippets.00.jsonl.gz"):
        if all(re.search(pattern, row["html"], re.IGNORECASE) for pattern in EXTERNAL):
            pages.append(orjson.dumps({"id": f"net-{row['id']}", "url": row["url"], "html": row["html"]}))
        if len(pages) == PAGES:
            break
    return pages


def xhtml_page(base: str) -> bytes:
    """XHTML whose DTD, external entity, image, script, stylesheet, frame and canonical link live on `base`."""
    paragraph = ("The regional parliament approved the new water law on Thursday after months of debate "
                 "between farmers, city councils and environmental groups about the dry summers.")
    html = (f'<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "{base}/x.dtd" '
            f'[<!ENTITY ext SYSTEM "{base}/entity.txt">]>'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Water law</title>'
            f'<link rel="canonical" href="{base}/canonical"/><link rel="stylesheet" href="{base}/s.css"/>'
            f'<script src="{base}/app.js"></script><meta property="og:image" content="{base}/og.jpg"/></head>'
            f'<body><article><h1>Water law passes</h1><img src="{base}/photo.jpg"/>'
            f'<iframe src="{base}/frame"></iframe><p>&ext;</p>' + f"<p>{paragraph}</p>" * 4
            + "</article></body></html>")
    return orjson.dumps({"id": "net-xhtml", "url": f"{base}/story", "html": html})


def run_all_stages(value: bytes) -> dict[str, Any]:
    """The four stages in this process, in pipeline order (what the pool processes run)."""
    settings = Settings(_env_file=None)
    article = extract.run(value, settings.extract_config())
    article = normalize.run(article, settings.normalize_config(), datetime(2026, 1, 1, tzinfo=UTC))
    article = tag.run(article, settings.tag_config())
    done = dedup.run(article, {}, settings.dedup_config())
    assert done.duplicate is not None
    return dict(orjson.loads(done.to_bytes()))


def test_the_socket_patch_refuses_and_records_a_real_request(no_network: list[str], canary) -> None:
    """The net itself works: without it the canary would be reached, with it the attempt is caught."""
    base, hits = canary
    with pytest.raises(OSError, match="network access attempted"):
        urllib.request.urlopen(f"{base}/probe", timeout=5)  # noqa: S310  (loopback canary)
    assert no_network, "the patch did not see urllib's connection"
    assert hits == []


def test_no_stage_fetches_anything_a_real_page_references(no_network: list[str]) -> None:
    pages = real_pages_with_external_resources()
    assert len(pages) == PAGES, "the shared evaluation pages are missing"
    texts = [run_all_stages(page)["text"] for page in pages]
    assert all(len(text) > 200 for text in texts), "a stage failed silently on a real page"
    assert no_network == [], f"network access from a stage: {no_network[:5]}"


def test_no_stage_fetches_dtds_entities_or_linked_resources_of_xhtml(no_network: list[str], canary) -> None:
    base, hits = canary
    done = run_all_stages(xhtml_page(base))
    assert "regional parliament approved the new water law" in done["text"]
    assert "FETCHED" not in done["text"]
    assert hits == [], f"the canary server was fetched: {hits}"
    assert no_network == [], f"network access from a stage: {no_network[:5]}"
