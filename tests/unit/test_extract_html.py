"""HTML path: metadata into `Article.metadata`, paragraphs, and pathological pages that fail fast."""

from __future__ import annotations

import os
import pickle
import time

import orjson
import pytest

from workers.errors import ExtractionFailed, InputTooLarge, StageError
from workers.records import Article
from workers.stages import extract

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the bus network, adding three routes that will connect "
    "the northern suburbs with the central station by the end of next year.",
    "Supporters said the plan would cut commuting times for thousands of residents, while critics warned "
    "that the cost had been underestimated and that fares could rise as a result.",
    "The first of the new lines is expected to open in the spring, according to the transport department, "
    "which said it had already ordered forty electric buses for the service.",
]

PAGE = f"""<!doctype html><html lang="en"><head>
<title>Council approves bigger bus network | Example Times</title>
<meta property="og:title" content="Council approves bigger bus network">
<meta property="og:site_name" content="Example Times">
<meta name="description" content="Three new routes for the northern suburbs.">
<meta name="author" content="Jane Miller">
<meta property="og:image" content="https://example.org/img/bus.jpg">
<meta property="article:published_time" content="2024-03-03T10:15:00+01:00">
<meta property="article:modified_time" content="2024-03-05T08:00:00+01:00">
<meta property="article:section" content="Local">
<meta property="article:tag" content="transport">
<link rel="canonical" href="https://example.org/news/bus-network">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/login">Sign in</a></nav>
<article>
<p class="article-kicker">Local transport</p>
<h1>Council approves bigger bus network</h1>
{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}
</article>
<footer><p>© 2024 Example Media. All rights reserved.</p></footer>
</body></html>"""


def _run(record: dict[str, object], cfg: extract.ExtractConfig | None = None) -> Article:
    return extract.run(orjson.dumps(record), cfg or extract.ExtractConfig())


def test_html_body_paragraphs_and_metadata() -> None:
    article = _run({"id": "a", "url": "https://example.org/news/bus-network?utm=x", "html": PAGE})
    assert article.text.split("\n\n") == PARAGRAPHS
    assert article.title == "Council approves bigger bus network"
    meta = article.metadata
    assert meta["authors"] == "Jane Miller"
    assert meta["sitename"] == "Example Times"
    assert meta["description"] == "Three new routes for the northern suburbs."
    assert meta["image"] == "https://example.org/img/bus.jpg"
    assert meta["canonical_url"] == "https://example.org/news/bus-network"
    assert meta["date"] == "2024-03-03"
    assert meta["modified_date"] == "2024-03-05"
    assert meta["kicker"] == "Local transport"
    assert "transport" in meta["tags"]


def _reason(record: dict[str, object], cfg: extract.ExtractConfig | None = None) -> str:
    with pytest.raises(StageError) as caught:
        _run(record, cfg)
    return caught.value.reason


def test_nested_100k_levels_fails_fast_as_too_deep() -> None:
    html = "<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>"
    started = time.perf_counter()
    assert _reason({"id": "d", "html": html}) == "too_deep"
    assert time.perf_counter() - started < 5


def test_binary_junk_is_not_html() -> None:
    junk = os.urandom(50_000).decode("latin-1")
    assert _reason({"id": "b", "html": junk}) == "not_html"
    assert _reason({"id": "b2", "html": "<p>" + junk}) == "not_html"


def test_empty_and_textless_pages() -> None:
    assert _reason({"id": "e", "html": ""}) == "no_content"
    assert _reason({"id": "w", "html": " \n\t "}) == "no_content"
    assert _reason({"id": "t", "text": ""}) == "no_content"
    assert _reason({"id": "n", "html": "<html><body><nav>Home</nav></body></html>"}) == "no_content"


def test_huge_trees_and_records_are_too_large_before_the_walk() -> None:
    html = "<html><body>" + "<p>word</p>" * 2_000 + "</body></html>"
    started = time.perf_counter()
    with pytest.raises(InputTooLarge):
        _run({"id": "h", "html": html}, extract.ExtractConfig(max_html_elements=1_000))
    assert time.perf_counter() - started < 5
    assert _reason({"id": "big", "html": "<p>" + "x" * 2_000}, extract.ExtractConfig(max_input_bytes=1_000)) \
        == "too_large"


def test_raw_binary_record_is_dead_letter_material() -> None:
    with pytest.raises(StageError) as caught:
        extract.run(os.urandom(4096), extract.ExtractConfig())
    assert caught.value.reason in {"invalid_json", "not_utf8"}
    assert not isinstance(caught.value, ExtractionFailed)


def test_config_pickles_for_the_pool() -> None:
    cfg = extract.ExtractConfig(max_html_elements=5)
    assert pickle.loads(pickle.dumps(cfg)) == cfg  # noqa: S301  (our own bytes)
    assert pickle.loads(pickle.dumps(extract.run)) is extract.run  # noqa: S301
