"""Hypothesis strategies for the stages' inputs, and the settings profiles that bound their search.

Profiles (`HYPOTHESIS_PROFILE`, else `ci` when `CI=true`, else `dev`):
- `ci`: a fixed budget (200 examples per test, derandomised so a run is reproducible, no example database);
- `dev`: Hypothesis' default budget (100), random, with the example database in `.hypothesis/` (not in git);
- `search`: the bug hunt, 5,000 examples per test and no deadline: `HYPOTHESIS_PROFILE=search pytest -m properties`.
The deadline is per example: a stage that needs many seconds for a tiny input is a bug worth seeing
too. It is 30 s in `ci`: a shared 2-core runner once took over 5 s for one example under load (the
tag stage's first example also loads its model), and a flaky deadline would fail CI for nothing.

The values are built to hit what real pages do: dates far in the past and future, with every UTC
offset, CMS placeholders, empty and non-string metadata, huge strings, URL-ish strings that are not
URLs, site names in any script, Unicode in every field, random HTML fragments and text.
"""

from __future__ import annotations

import json
import os
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=timedelta(seconds=30),
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=timedelta(seconds=5),
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("search", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))

# --- dates -------------------------------------------------------------------------------------------

_OFFSETS = st.one_of(st.just("Z"), st.just(""), st.builds(
    lambda sign, h, m, colon: f"{sign}{h:02d}{':' if colon else ''}{m:02d}",
    st.sampled_from("+-"), st.integers(0, 23), st.sampled_from([0, 30, 45, 59]), st.booleans()))
_YEARS = st.one_of(st.integers(1, 9999), st.integers(1985, 2035), st.sampled_from([1, 1000, 1969, 1970, 1989, 1990,
                                                                                   2038, 9998, 9999]))
ISO_STAMPS = st.builds(lambda y, mo, d, h, mi, s, tz, sep: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{tz}",
                       _YEARS, st.integers(0, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60),
                       st.integers(0, 60), _OFFSETS, st.sampled_from(["T", " "]))
DAYS = st.builds(lambda y, mo, d: f"{y:04d}-{mo:02d}-{d:02d}", _YEARS, st.integers(1, 12), st.integers(1, 31))
_MONTHS = ["Januar", "Jänner", "Feber", "Dezember", "January", "Dec.", "décembre", "diciembre", "May", "may"]
WRITTEN_DATES = st.one_of(
    st.builds(lambda d, m, y: f"{d}. {m} {y}", st.integers(0, 40), st.sampled_from(_MONTHS), _YEARS),
    st.builds(lambda m, d, y, t: f"{m} {d}, {y} {t}", st.sampled_from(_MONTHS), st.integers(0, 40), _YEARS,
              st.sampled_from(["8:50 p.m. ET", "20:50 Uhr", "", "13:61", "99:00 PM"])),
    st.builds(lambda d, m, y, t: f"{d}.{m}.{y}, {t}", st.integers(0, 40), st.integers(0, 13),
              st.integers(0, 99), st.sampled_from(["20:50", "", "25:00"])),
    st.builds(lambda a, b, c: f"{a}/{b}/{c}", st.integers(0, 40), st.integers(0, 40), _YEARS),
    st.builds(lambda y, m, d: f"{y}年{m}月{d}日", _YEARS, st.integers(0, 13), st.integers(0, 32)),
    st.sampled_from(["0001-01-01T00:00:00Z", "0000-00-00 00:00:00", "1970-01-01T00:00:00Z", "Invalid Date", "NaN",
                     "gestern", "vor 3 Tagen", "in 99 Jahren", "am Montag", "next Friday", "yesterday", "heute",
                     "Dec 31 2025", "Wed, 31 Dec 2025 20:50:00 +0100", "31.12.25, 20:50", "@1735678200", "1e309"]),
)
DATE_STRINGS = st.one_of(ISO_STAMPS, DAYS, WRITTEN_DATES)

# --- URLs, hosts, site names --------------------------------------------------------------------------

FULLWIDTH = "".join(chr(0xFF00 + ord(c) - 0x20) for c in "example.com")  # full-width letters, NFKC: example.com

SITE_NAMES = st.one_of(
    st.sampled_from(["産経新聞\uff1a産経ニュース", "Kronen Zeitung", "oe24.at", "www.spiegel.de", "BBC News",
                     "Le Monde.fr", "ДW", "٪٪", "xn--bcher-kva.de", ".", "..", "a..b", "-", "localhost",
                     "example.com:99999", "[::1]", "user@host", "\u202etxt.exe", FULLWIDTH]),
    st.text(min_size=1, max_size=40),
)
URLS = st.one_of(
    st.sampled_from(["http://[", "https://[::1", "http://]", "http://a.com:99999/", "http://a.com:x/", "https://",
                     "//", "///", "hard::100noticias.com-millones.html", "javascript:alert(1)", "mailto:a@b.c",
                     "http://exa mple.com/", "https://www.nytimes.com/2024/05/06/x.html", "http://127.0.0.1:8080/a",
                     f"https://{FULLWIDTH}/", "http://産経新聞\uff1a産経ニュース/", "http://%zz/", "http://a@b@c/",
                     "https://oe24.at/welt/2025/12/31/x?utm_source=x#y", "HTTP://WWW.EXAMPLE.COM", "file:///etc/passwd"]),
    st.builds(lambda scheme, host, rest: f"{scheme}{host}{rest}", st.sampled_from(["http://", "https://", "//", ""]),
              SITE_NAMES, st.text(max_size=20)),
    st.text(max_size=60),
)

# --- metadata values of any JSON type -----------------------------------------------------------------

HUGE = st.builds(lambda c, n: c * n, st.sampled_from(["a", "9", "\u00e4", " ", "<", "年"]),
                 st.integers(10_000, 120_000))
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 63), 2 ** 63 - 1),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=50))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)
METADATA_VALUES = st.one_of(DATE_STRINGS, URLS, SITE_NAMES, JSON_VALUES, st.just(""), HUGE)

# --- text and HTML ------------------------------------------------------------------------------------

_WORDS = st.sampled_from([
    "Der", "Stadtrat", "hat", "am", "Dienstag", "den", "Haushalt", "beschlossen.", "The", "council", "approved",
    "the", "budget", "on", "Tuesday.", "WASHINGTON", "(dpa-AFX)", "-", "/ngu/DP/he", "© Getty", "Foto: dpa",
    "Startseite", "LOGIN", "Teilen", "date", "Uhr", "vor", "Jahren", "Angela Merkel", "Berlin", "USA", "政府",
    "\u00ad", "\u200b", "\ufeff", "\u0301", "\r", "\t", "\x00", "\x7f", "\ud7ff", "\U0001f600", "&amp;", "<p>"])
TEXTS = st.one_of(
    st.lists(st.one_of(_WORDS, WRITTEN_DATES, DAYS, st.text(max_size=12), st.sampled_from(["\n", "\n\n", " date "])),
             max_size=60).map(" ".join),
    st.text(max_size=300),
    st.just(""),
)

_TAGS = ["p", "div", "article", "main", "section", "span", "h1", "h2", "a", "li", "ul", "table", "tr", "td", "time",
         "figure", "figcaption", "nav", "footer", "header", "aside", "br", "img", "script", "style", "noscript",
         "svg", "iframe", "form", "button", "blockquote", "pre", "b", "i", "template", "html", "body", "head"]
_ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "itemprop", "datetime", "href", "src", "rel", "lang", "content", "property",
                     "hidden", "pubdate", "style", "data-x"]),
    st.one_of(st.sampled_from(["kicker", "datePublished", "article-body", "canonical", "author", "nav", ""]),
              DATE_STRINGS, URLS, st.text(max_size=20)), max_size=3)


def _quote(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _element(tag: str, attrs: dict[str, str], children: list[str]) -> str:
    rendered = "".join(f' {k}="{_quote(v)}"' for k, v in attrs.items())
    return f"<{tag}{rendered}>{''.join(children)}</{tag}>"


_FRAGMENTS = st.recursive(
    st.one_of(TEXTS, st.sampled_from(["<br>", "<hr/>", "<!-- c -->", "<![CDATA[x]]>", "</p>", "<p", "&#0;", "&nbsp;",
                                      "<?xml version='1.0'?>", "<!DOCTYPE html>"])),
    lambda inner: st.builds(_element, st.sampled_from(_TAGS), _ATTRS, st.lists(inner, max_size=4)),
    max_leaves=25)


def _jsonld(value: Any, kind: str) -> str:
    body = json.dumps({"@context": "https://schema.org", "@type": kind, "datePublished": value,
                       "publisher": {"name": value}, "url": value}, ensure_ascii=False, default=str)
    escaped = body.replace("</", "<\\/")
    return f'<script type="application/ld+json">{escaped}</script>'


_HEAD_ITEMS = st.one_of(
    st.builds(lambda name, value: f'<meta property="{name}" content="{_quote(str(value))}">',
              st.sampled_from(["og:site_name", "og:url", "og:title", "article:published_time", "og:published_time",
                               "date", "pubdate", "dc.date", "parsely-pub-date", "og:image", "author",
                               "article:modified_time", "og:locale"]), METADATA_VALUES),
    st.builds(lambda href: f'<link rel="canonical" href="{_quote(href)}">', URLS),
    st.builds(_jsonld, METADATA_VALUES, st.sampled_from(["NewsArticle", "WebPage", "Thing", "BlogPosting"])),
    st.builds(lambda text: f"<title>{_quote(text)}</title>", st.text(max_size=40)),
    st.just('<meta charset="shift_jis">'), st.just('<base href="http://[">'),
)


@st.composite
def pages(draw: st.DrawFn) -> str:
    """An HTML page: a head of metadata (odd values included) and a body of random fragments around prose."""
    head = "".join(draw(st.lists(_HEAD_ITEMS, max_size=5)))
    body = "".join(draw(st.lists(_FRAGMENTS, max_size=6)))
    prose = draw(st.sampled_from(["", "<p>" + "The council approved the new harbour budget on Tuesday. " * 8 + "</p>",
                                  "<article><h1>Haushalt</h1><p>" + "Der Stadtrat hat den Haushalt beschlossen. " * 8
                                  + "</p></article>"]))
    return draw(st.sampled_from([f"<html><head>{head}</head><body>{body}{prose}</body></html>",
                                 f"{head}{prose}{body}", body]))


# --- records and articles -----------------------------------------------------------------------------

RECORD_FIELDS = ("id", "url", "source", "published_at", "fetched_at", "language", "meta")


@st.composite
def raw_records(draw: st.DrawFn) -> bytes:
    """A raw record's bytes as any producer might send them: mostly JSON objects, sometimes not."""
    kind = draw(st.sampled_from(["html", "text", "text", "both", "neither", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    record: dict[str, Any] = {}
    if kind in ("html", "both"):
        record["html"] = draw(st.one_of(pages(), st.text(max_size=200)))
    if kind in ("text", "both"):
        record["text"] = draw(st.one_of(TEXTS, st.builds(lambda day, text: f" date {day} {text}", DAYS, TEXTS)))
    for name in draw(st.lists(st.sampled_from(RECORD_FIELDS), unique=True, max_size=len(RECORD_FIELDS))):
        record[name] = draw(METADATA_VALUES if name != "url" else st.one_of(URLS, METADATA_VALUES))
    # Python's encoder writes any int and lone surrogates (invalid UTF-8 once encoded): bad input too.
    return json.dumps(record, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


def metadata() -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from(["date", "published_time", "published_time_source", "date_text", "kicker", "canonical_url",
                            "sitename", "modified_date", "authors", "categories", "byline", "teaser"])
    return st.dictionaries(keys, METADATA_VALUES, max_size=6)


def hints() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(["published_at", "fetched_at", "language"]),
                           st.one_of(METADATA_VALUES, st.sampled_from(["de", "en", "ja", "und", "xx", "de-AT", ""])),
                           max_size=3)


# Hypothesis takes naive bounds and puts the zone from `timezones` on what it draws (aware bounds raise).
NOWS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),  # noqa: DTZ001
                    timezones=st.just(UTC))
ASCII_IDS = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=12)
