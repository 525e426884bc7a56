"""HTML pages: guard against pathological input, then trafilatura for the body, `pagemeta` for the metadata.

Why the guards: libxml2 silently cuts a tree at depth 256 and trafilatura then returns nothing, so a
100,000-level page would be reported as `no_content`; and trafilatura's cost grows with the element
count (a 14 MB page of 250k paragraphs takes ~30 s), so a huge tree is refused before the walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from workers.errors import ExtractionFailed, InputTooLarge
from workers.stages.extract.htmldates import page_dates
from workers.stages.extract.pagemeta import page_meta

_MAX_DEPTH = 250  # libxml2 stops nesting at 256 without XML_PARSE_HUGE
_SOURCE_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_TAG = re.compile(r"<[A-Za-z!/?]")
# Class names that mark the line above a headline, matched in the class values as substrings (what
# the EXSLT regex `re:test(@class, 'kicker|...', 'i')` did: lxml calls back into Python for each
# element there, 30 ms on a page with many classes; reading the values once and testing them here
# costs a tenth of that, with the same matches).
_KICKER_WORDS = ("kicker", "overline", "dachzeile", "eyebrow", "topline", "roofline", "spitzmarke", "surtitre",
                 "antetitulo")
_CLASS_VALUES = etree.XPath("//@class")
# The tree guards, in C as well (a Python walk over every element cost 1.35 ms a page): an element at
# depth `_MAX_DEPTH` exists (the root is depth 1), and the element count.
_TOO_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * _MAX_DEPTH) + ")")
_ELEMENTS = etree.XPath("count(//*)")
_ISO_DAY = re.compile(r"(?:19|20)\d{2}-[01]\d-[0-3]\d(?!\d)")


@dataclass(frozen=True, slots=True)
class Page:
    paragraphs: list[str]
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def extract_html(html: str, url: str | None, *, favor_precision: bool, max_elements: int,
                 modified_date: bool) -> Page:
    """Body paragraphs, title and metadata of one page; `StageError` for input that is not a page."""
    tree = parse(html, max_elements)
    stamps = page_dates(tree)
    kicker = _kicker(tree, html)
    meta = page_meta(tree, url, html)
    # Metadata read above (one date search, see `pagemeta`); trafilatura only finds the body here.
    doc = trafilatura.bare_extraction(tree, url=url or meta.canonical_url, with_metadata=False,
                                      include_comments=False, favor_precision=favor_precision)
    if not isinstance(doc, Document):
        raise ExtractionFailed("trafilatura found no main text in the page", reason="no_content")
    metadata = {k: v for k, v in {
        "authors": meta.authors, "sitename": meta.sitename, "description": meta.description,
        "categories": meta.categories or None, "tags": meta.tags or None, "image": meta.image,
        "canonical_url": meta.canonical_url, "date": meta.date, "kicker": kicker, "method": "trafilatura",
    }.items() if v}
    modified = _day(stamps.get("modified_time")) if modified_date else None
    if modified and modified != meta.date:
        metadata["modified_date"] = modified
    metadata.update(stamps)
    lines = [" ".join(line.split()) for line in (doc.text or "").split("\n")]
    return Page(paragraphs=_without_head([line for line in lines if line], {meta.title, kicker}),
                title=meta.title, metadata=metadata)


def _without_head(paragraphs: list[str], head: set[str | None]) -> list[str]:
    """Drop the headline and kicker when the extractor printed them as the first paragraphs."""
    start = 0
    while start < min(len(paragraphs), 3) and paragraphs[start] in head:
        start += 1
    return paragraphs[start:]


def parse(html: str, max_elements: int) -> HtmlElement:
    """The lxml tree of a page, refusing binary junk, absurd nesting and oversized trees."""
    head = html[:65536]
    if not head.strip():
        raise ExtractionFailed("page is empty", reason="no_content")
    if not _TAG.search(head) or _junk_share(head) > 0.1:
        raise ExtractionFailed("input does not look like HTML", reason="not_html")
    tree = load_html(html)
    if tree is None:
        if _source_depth(html) >= _MAX_DEPTH:
            raise ExtractionFailed(f"HTML nests deeper than {_MAX_DEPTH} levels", reason="too_deep")
        if not _parses(html):
            raise ExtractionFailed("input could not be parsed as HTML", reason="not_html")
        # trafilatura refuses markup it finds dubious, such as a lone `<p>a</p>`: it parses, but holds no page
        raise ExtractionFailed("the markup parses, but trafilatura finds no page with main text in it",
                               reason="no_content")
    if _TOO_DEEP(tree):
        raise ExtractionFailed(f"HTML nests deeper than {_MAX_DEPTH} levels", reason="too_deep")
    if _ELEMENTS(tree) > max_elements:
        raise InputTooLarge(f"page has more than {max_elements:,} elements")
    return tree


def _parses(html: str) -> bool:
    """Whether lxml makes any tree of the markup (trafilatura's loader is stricter)."""
    try:
        return lxml.html.fromstring(html.encode("utf-8", errors="replace")) is not None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return False


def _source_depth(html: str) -> int:
    """Deepest tag nesting in the markup itself, for pages the parser gives up on (stops at the limit)."""
    depth = deepest = 0
    for match in _SOURCE_TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
            if deepest >= _MAX_DEPTH:
                break
    return deepest


def _junk_share(text: str) -> float:
    """Share of control and replacement characters: binary bytes read as text."""
    return len(_JUNK.findall(text)) / max(len(text), 1)


def _kicker(tree: HtmlElement, html: str) -> str | None:
    """The short line above the headline, where the markup names it (kicker, overline, Dachzeile).

    A search of the source for the words (substring tests, ~0.1 ms) skips the class scan on the pages
    that have none (nine in ten on the snippet set)."""
    source = html.lower()
    if not any(word in source for word in _KICKER_WORDS):
        return None
    for value in _CLASS_VALUES(tree):
        lowered = value.lower()
        if not any(word in lowered for word in _KICKER_WORDS):
            continue
        text = " ".join(value.getparent().text_content().split())
        if 0 < len(text) <= 80:
            return text
    return None


def _day(value: str | None) -> str | None:
    """The `YYYY-MM-DD` an ISO 8601 markup stamp starts with (what `modified_date` always held)."""
    match = _ISO_DAY.match(value or "")
    return match.group(0) if match else None
