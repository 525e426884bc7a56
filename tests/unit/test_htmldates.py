"""Structured publication stamps from HTML, with time and offset kept (and wired into extraction)."""

from __future__ import annotations

from lxml.html import fromstring

from workers.records import RawArticle
from workers.stages import extract
from workers.stages.extract import htmldates


def page_dates(html: str) -> dict[str, str]:
    return htmldates.page_dates(fromstring(html))


def test_jsonld_article_wins_over_other_types() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "WebSite", "datePublished": "2001-01-01"}</script>
    <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
        "datePublished": "2025-12-31T20:50:00+01:00"}]}</script>
    <meta property="article:published_time" content="2025-12-30T10:00:00Z">
    </head><body><p>x</p></body></html>"""
    assert page_dates(html) == {"published_time": "2025-12-31T20:50:00+01:00",
                                "published_time_source": "jsonld"}


def test_meta_property() -> None:
    html = '<html><head><meta property="article:published_time" content="2025-12-30T10:00:00Z"></head></html>'
    assert page_dates(html) == {"published_time": "2025-12-30T10:00:00Z",
                                "published_time_source": "meta:article:published_time"}


def test_itemprop_and_time() -> None:
    html = '<html><body><span itemprop="datePublished" content="2024-03-14">14. März</span></body></html>'
    assert page_dates(html)["published_time"] == "2024-03-14"
    html = '<html><body><time pubdate datetime="2024-03-14T08:00">8 Uhr</time></body></html>'
    assert page_dates(html) == {"published_time": "2024-03-14T08:00", "published_time_source": "time"}


def test_broken_jsonld_and_no_dates() -> None:
    html = '<html><head><script type="application/ld+json">{broken</script></head><body>Hallo</body></html>'
    assert page_dates(html) == {}


def test_the_extract_stage_puts_the_markup_stamp_into_metadata() -> None:
    body = "".join(f"<p>Paragraph {i} of a long article about the city budget and its schools.</p>" for i in range(8))
    html = ('<html><head><meta property="article:published_time" content="2025-12-30T10:00:00Z"></head>'
            f"<body><article><h1>Budget</h1>{body}</article></body></html>")
    article = extract.extract(RawArticle(id="a", html=html), extract.ExtractConfig())
    assert article.metadata["published_time"] == "2025-12-30T10:00:00Z"
    assert article.metadata["published_time_source"] == "meta:article:published_time"


def test_modified_stamp_is_read_in_the_same_pass_and_never_taken_for_the_publication() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2025-12-30T09:00:00+01:00",
        "dateModified": "2025-12-31T18:05:00+01:00"}</script>
    <meta property="article:modified_time" content="2025-12-31T17:00:00Z">
    </head><body><p>x</p></body></html>"""
    assert page_dates(html) == {"published_time": "2025-12-30T09:00:00+01:00", "published_time_source": "jsonld",
                                "modified_time": "2025-12-31T18:05:00+01:00", "modified_time_source": "jsonld"}
    only_modified = '<html><head><meta property="og:updated_time" content="2025-12-31T17:00:00Z"></head></html>'
    assert page_dates(only_modified) == {"modified_time": "2025-12-31T17:00:00Z",
                                         "modified_time_source": "meta:og:updated_time"}


def test_modified_date_comes_from_markup_and_is_omitted_without_it() -> None:
    body = "".join(f"<p>Paragraph {i} of a long article about the city budget and its schools.</p>" for i in range(8))
    head = '<meta property="article:published_time" content="2025-12-30T10:00:00Z">'
    page = f"<html><head>{head}{{extra}}</head><body><article><h1>Budget</h1>{body}</article></body></html>"
    updated = page.format(extra='<meta property="article:modified_time" content="2026-01-02T08:00:00+01:00">')
    article = extract.extract(RawArticle(id="m", html=updated), extract.ExtractConfig())
    assert article.metadata["modified_date"] == "2026-01-02"
    # A page that states no modification: no date search guesses one from the body.
    plain = page.format(extra="").replace("Paragraph 3", "Updated 2026-01-05: paragraph 3")
    assert "modified_date" not in extract.extract(RawArticle(id="n", html=plain), extract.ExtractConfig()).metadata
    off = extract.ExtractConfig(modified_date=False)
    assert "modified_date" not in extract.extract(RawArticle(id="o", html=updated), off).metadata
