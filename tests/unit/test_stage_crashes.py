"""Odd but valid pages that once crashed a stage (`stage_crashed`): each is now an article, not a dead letter.

Minimal pages with the same triggers as the two crashes found on 1,889 unseen news pages (issue 19):
a CMS placeholder date `0001-01-01T00:00:00Z` on a US outlet's page (`OverflowError` when the stamp
was shown in New York), and a Japanese site name where a host was looked up (`ValueError: netloc ...
contains invalid characters under NFKC normalization`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from workers.records import Article
from workers.stages import dedup, extract, normalize
from workers.stages.extract.stage import source_key
from workers.stages.urls import host_of, url_like

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
SANKEI = "産経新聞\uff1a産経ニュース"  # with a full-width colon
ENGLISH = "<p>" + "The city council approved the new harbour budget after a long debate on Tuesday. " * 6 + "</p>"
JAPANESE = "<p>" + "政府は新しい予算案を発表しました。国会では来週から審議が始まる予定です。" * 8 + "</p>"


def page(head: str, body: str = ENGLISH) -> str:
    return (f"<html><head><title>Harbour budget approved</title>{head}</head>"
            f"<body><article><h1>Harbour budget approved</h1>{body}</article></body></html>")


def enriched(record: dict[str, object]) -> Article:
    """Extract and normalize, as the pool runs them; any exception here would have been `stage_crashed`."""
    return normalize.run(extract.run(orjson.dumps(record), extract.ExtractConfig()), normalize.NormalizeConfig(),
                         NOW)


def test_year_one_placeholder_on_a_us_page_is_a_date_issue_not_a_crash() -> None:
    jsonld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"}'
    article = enriched({"id": "placeholder", "url": "https://www.nytimes.com/2024/05/06/nyregion/budget.html",
                        "html": page(jsonld + "</script>")})
    assert article.text.startswith("The city council approved")
    assert {"source": "metadata", "field": "published_time", "value": "0001-01-01T00:00:00Z",
            "reason": "date_before_1990"} in article.date_issues
    # the next candidate is used: the URL's day, in the outlet's zone
    assert (article.published_local, article.timezone) == ("2024-05-06T12:00:00-04:00", "America/New_York")


def test_year_one_placeholder_alone_leaves_the_article_undated() -> None:
    meta = '<meta property="article:published_time" content="0001-01-01T00:00:00Z">'
    article = enriched({"id": "alone", "url": "https://www.nytimes.com/section/budget", "html": page(meta)})
    assert article.published_at is None
    assert [issue["reason"] for issue in article.date_issues] == ["date_before_1990"]


def test_year_9999_east_or_west_of_utc_is_in_the_future_not_a_crash() -> None:
    for stamp in ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+05:00"):
        meta = f'<meta property="article:published_time" content="{stamp}">'
        article = enriched({"id": "far", "url": "https://www.nytimes.com/section/budget", "html": page(meta)})
        assert article.published_at is None, stamp
        assert [issue["value"] for issue in article.date_issues] == [stamp]


def test_the_bounds_themselves_are_still_decided_on_the_instant() -> None:
    """A day next to a bound is localised first: 1989-12-31T23:30-01:00 is 1990-01-01 00:30 UTC, kept."""
    meta = '<meta property="article:published_time" content="1989-12-31T23:30:00-01:00">'
    article = enriched({"id": "edge", "html": page(meta)})
    assert article.published_at == "1990-01-01T00:30:00Z"
    assert article.date_issues == []


def test_japanese_site_name_is_not_parsed_as_a_host() -> None:
    head = f'<meta property="og:site_name" content="{SANKEI}"><meta charset="utf-8">'
    article = enriched({"id": "sankei", "html": page(head, JAPANESE)})
    assert article.metadata["sitename"] == SANKEI
    assert article.source == SANKEI
    assert article.language is not None
    assert article.language["code"] == "ja"
    assert article.timezone_source != "domain"


ODD_URLS = ["http://[", f"http://{SANKEI}/x", "hard::100noticias.com-millones.html", "http://a.com:99999/x",
            "javascript:alert(1)", "https://", "http://exa mple.com/", "//[::1", "0001-01-01T00:00:00Z", " ", "\x00"]


@pytest.mark.parametrize("url", ODD_URLS)
def test_an_odd_url_is_treated_as_absent_and_passed_through(url: str) -> None:
    html = enriched({"id": "u", "url": url, "html": page("")})
    text = enriched({"id": "u", "url": url, "text": "Harbour budget approved\n" + ENGLISH[3:-4]})
    for article in (html, text):
        assert article.url == url
        assert article.timezone_source != "domain"
    assert source_key(orjson.dumps({"text": "x", "url": url})) is None


def test_an_odd_canonical_url_or_site_name_in_metadata_is_skipped() -> None:
    article = Article(id="m", text="Ein kurzer Text über die Sitzung des Gemeinderats in Graz am Dienstag.",
                      url="http://[", source=SANKEI,
                      metadata={"canonical_url": f"http://{SANKEI}/x", "sitename": ["not", "a", "string"]},
                      hints={"published_at": "2025-12-31"})
    result = normalize.run(article, normalize.NormalizeConfig(), NOW)
    assert (result.timezone, result.timezone_source) == ("Europe/Berlin", "language")


@pytest.mark.parametrize(("value", "host"), [
    ("https://www.oe24.at/welt/x", "www.oe24.at"), ("oe24.at", "oe24.at"), ("WWW.Spiegel.DE/politik", "www.spiegel.de"),
    ("//bbc.co.uk/news", "bbc.co.uk"), ("https://bücher.de/", "bücher.de"), ("Kronen Zeitung", None),
    (SANKEI, None), ("http://[", None), ("localhost", None), ("1.2.3.4", None), ("", None),
    (None, None), (42, None), ("oe24", None), ("hard::x.html", None), ("http://a.com:99999/", None),
])
def test_host_of(value: object, host: str | None) -> None:
    assert host_of(value) == host


@pytest.mark.parametrize(("value", "like"), [
    ("https://www.oe24.at/welt/x", True), ("http://127.0.0.1:8080/a", True), ("//cdn.example.org/a.jpg", True),
    ("http://[::1]/x", True), ("oe24.at", False), ("ftp://example.org/", False), ("http://[", False),
    ("https://exa mple.com", False), ("http://a.com:99999/", False), ("https://x/" + "a" * 9000, False), ([], False),
])
def test_url_like(value: object, like: bool) -> None:
    assert url_like(value) is like


@pytest.mark.parametrize("hint", ["Aµ", "µs", "ÄÖ", "İT", "d\u0301e", True, 7, ["de"]])
def test_a_language_hint_that_is_no_iso_code_is_ignored(hint: object) -> None:
    """Found by the property tests: a hint `Aµ` came out as `language.code` "aµ", against the event schema."""
    article = normalize.run(Article(id="h", text="", hints={"language": hint}), normalize.NormalizeConfig(), NOW)
    assert article.language == {"code": "und", "confidence": 0.0}


def test_an_unparsable_url_gets_no_url_key_in_dedup() -> None:
    """Found by the property tests: `http://[` (and a site name used as a host) raised in the canonical URL."""
    index: dict[str, object] = {}
    for i, url in enumerate(["http://[", f"http://{SANKEI}/x", "A://[]"]):
        article = dedup.run(Article(id=f"d{i}", text=f"Story number {i} about the harbour.", url=url), index,
                            dedup.DedupConfig())
        assert article.duplicate is not None
        assert article.duplicate["status"] == "unique"
    assert not any(key.startswith("u:") for key in index)
