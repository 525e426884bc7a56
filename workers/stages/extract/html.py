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
# Class names that mark the line above a headline (EXSLT regex, evaluated inside libxml2).
_KICKER_NAMES = "kicker|overline|dachzeile|eyebrow|topline|roofline|spitzmarke|surtitre|antetitulo"
_KICKER_XPATH = etree.XPath(f"//*[re:test(@class, '{_KICKER_NAMES}', 'i')]",
                            namespaces={"re": "http://exslt.org/regular-expressions"})
_KICKER_WORDS = tuple(_KICKER_NAMES.split("|"))  # substring tests: a regex alternation scans 20x slower
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
    depth, count = 0, 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            count += 1
            depth += 1
            if depth >= _MAX_DEPTH:
                raise ExtractionFailed(f"HTML nests deeper than {_MAX_DEPTH} levels", reason="too_deep")
            if count > max_elements:
                raise InputTooLarge(f"page has more than {max_elements:,} elements")
        else:
            depth -= 1
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

    The class-name regex over every element costs ~3 ms a page; a search of the source for the words
    (substring tests, ~0.1 ms) skips it on the pages that have none (most)."""
    source = html.lower()
    if not any(word in source for word in _KICKER_WORDS):
        return None
    for node in _KICKER_XPATH(tree):
        text = " ".join(node.text_content().split())
        if 0 < len(text) <= 80:
            return text
    return None


def _day(value: str | None) -> str | None:
    """The `YYYY-MM-DD` an ISO 8601 markup stamp starts with (what `modified_date` always held)."""
    match = _ISO_DAY.match(value or "")
    return match.group(0) if match else None
