"""Page metadata from the markup the page declares, and one publication-date search.

Why not `trafilatura.bare_extraction(with_metadata=True)`: that call costs about as much again as
the body extraction (19 ms of a 45 ms page on the snippet set, measured), most of it in searches the
pipeline does not need or does twice: a tree-wide author search (10 ms/page when no `<meta>` or
JSON-LD names one), category/tag/licence link searches (4.5 ms) and htmldate. Here the same
trafilatura readers of `<meta>`, OpenGraph and JSON-LD fill the fields, the title and canonical URL
fall back to the page as trafilatura does, and htmldate runs once.

Decision (issue 14.5): `authors`, `categories` and `tags` are what the page declares in `<meta>` /
JSON-LD; a byline only printed in the body is not searched for (trafilatura's default `extract()`
reads no metadata at all, and no stage downstream reads these fields).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from htmldate import find_date
from htmldate.extractors import get_external_parser
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_meta_json, extract_sitename, extract_title, extract_url

_SITE_FROM_URL = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None
    authors: str | None
    sitename: str | None
    description: str | None
    categories: list[str]
    tags: list[str]
    image: str | None
    canonical_url: str | None
    date: str | None  # htmldate, original date, extensive search: a day


def page_meta(tree: HtmlElement, url: str | None, html: str) -> PageMeta:
    """The page's declared metadata, read from the parsed tree, and htmldate's publication day."""
    doc = examine_meta(tree)
    if doc.author and " " not in doc.author:  # trafilatura's rule: a one-word author is a handle
        doc.author = None
    # trafilatura guards its JSON-LD reader the same way: a malformed block costs the block, not the page
    with contextlib.suppress(Exception):
        doc = extract_meta_json(tree, doc)
    if not doc.title:
        doc.title = extract_title(tree)
    if not doc.url:
        doc.url = extract_url(tree, url)
    if not doc.sitename:
        doc.sitename = extract_sitename(tree)
    if doc.sitename:
        doc.sitename = doc.sitename.lstrip("@")
        if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
            doc.sitename = doc.sitename.title()
    elif doc.url and (match := _SITE_FROM_URL.match(doc.url)):
        doc.sitename = match[1]
    doc.date = _published_day(html, doc.url)
    doc.clean_and_trim()
    return PageMeta(title=doc.title, authors=doc.author, sitename=doc.sitename, description=doc.description,
                    categories=list(doc.categories or []), tags=list(doc.tags or []), image=doc.image,
                    canonical_url=doc.url, date=doc.date)


def _published_day(html: str, url: str | None) -> str | None:
    """htmldate's original publication day (the one date search of the page, issue 14.5).

    htmldate parses the source itself: its parser keeps HTML comments, where some CMSs print the
    stamp, and trafilatura's drops them (a dev page read 2015 on trafilatura's tree and the right
    2020 day on its own). The parse costs about what copying our tree for it would (htmldate
    deep-copies a tree it is handed), and its day is then exactly htmldate's evidence."""
    try:
        found = find_date(html, url=url, original_date=True, extensive_search=True)
    except (ValueError, TypeError):
        return None
    return str(found) if found else None


def warm_date_parser() -> None:
    """Build dateparser's patterns for every locale now, once, instead of on a page.

    htmldate hands a stamp it cannot read itself (`Jueves 28 de Abril de 2022`, `22 Sep,2021 1632hrs
    IST`: 12 of 300 bench pages) to dateparser over all its ~200 locales, and dateparser compiles each
    locale's patterns the first time it tries it: 5-11 s of one page's extraction, in every new pool
    process (measured). Called in the pool's fork server, so each forked process starts with them."""
    get_external_parser().get_date_data("zzqx 99")  # no locale reads it, so every one is tried and built
