"""Page metadata the markup declares, and the page's one publication-date search."""

from __future__ import annotations

from dateparser.languages.dictionary import Dictionary
from dateparser.languages.loader import default_loader
from htmldate.extractors import get_external_parser
from lxml.html import fromstring

from workers.stages.extract.pagemeta import page_meta, warm_date_parser

HEAD = """<head><title>Budget vote | City Post</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "author": {"@type": "Person", "name": "Anna Berg"}, "datePublished": "2025-12-30T09:00:00+01:00"}</script>
<link rel="canonical" href="https://citypost.example/2025/budget-vote"></head>"""
BODY = "<body><article><h1>Budget vote</h1><p class='byline'>By Carl Stone</p><p>Text.</p></article></body>"


def test_declared_metadata_and_htmldate_day() -> None:
    html = f"<html>{HEAD}{BODY}</html>"
    meta = page_meta(fromstring(html), None, html)
    assert (meta.title, meta.authors, meta.canonical_url) == (
        "Budget vote", "Anna Berg", "https://citypost.example/2025/budget-vote")
    assert meta.date == "2025-12-30"
    assert meta.sitename == "citypost.example"  # no og:site_name: the canonical URL's host


def test_a_byline_only_printed_in_the_body_is_not_searched_for() -> None:
    html = f"<html><head><title>Budget vote</title></head>{BODY}</html>"
    assert page_meta(fromstring(html), "https://citypost.example/x", html).authors is None


def test_a_one_word_author_is_a_handle_not_a_name() -> None:
    html = f'<html><head><meta name="author" content="admin"></head>{BODY}</html>'
    assert page_meta(fromstring(html), None, html).authors is None


def test_the_warm_up_builds_every_locale_htmldate_tries_and_leaves_its_answers() -> None:
    # The fork server calls this so pool processes inherit dateparser's patterns (bench.coldstart). What
    # it must leave behind: htmldate's own parser built, and a split pattern for every locale that parser
    # can try (dateparser compiles them lazily, which is the 5 s stall). Cleared first, so a warm-up that
    # did nothing fails here whatever earlier tests parsed.
    get_external_parser.cache_clear()
    Dictionary._split_regex_cache.clear()  # noqa: SLF001  (the cache the warm-up exists to fill)
    warm_date_parser()
    assert get_external_parser.cache_info().currsize == 1
    locales = list(default_loader.get_locales(use_given_order=False, allow_conflicting_locales=False))
    built = sum(len(patterns) for patterns in Dictionary._split_regex_cache.values())  # noqa: SLF001
    assert built >= len(locales) > 100
    text = "Texto del artículo sobre la etapa. " * 40
    html = f"<html><head><title>Ciclismo</title></head><body><div class='fecha'>Jueves 28 de Abril de 2022 5:03 PM" \
           f"</div><p>{text}</p></body></html>"
    assert page_meta(fromstring(html), None, html).date == "2022-04-28"
