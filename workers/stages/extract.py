"""Extract stage: raw record bytes -> `Article` with clean body text, title and page metadata.

Pure: no Kafka, no network (trafilatura never fetches; we hand it the page), no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import trafilatura

from workers.errors import ExtractionFailed
from workers.records import Article, RawArticle, decode_raw
from workers.stages import textclean

_BLANK_RUN = re.compile(r"\n\s*\n+")
_SPACE_RUN = re.compile(r"[ \t\f\v\u00a0]+")


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    max_input_bytes: int = 16 * 1024 * 1024
    favor_precision: bool = False


def run(data: bytes, cfg: ExtractConfig) -> Article:
    """Decode one raw record and extract it; the stage's entry point (top-level, so it pickles)."""
    return extract(decode_raw(data, max_bytes=cfg.max_input_bytes), cfg)


def extract(raw: RawArticle, cfg: ExtractConfig) -> Article:
    if raw.html is not None:
        text, title, metadata = _from_html(raw.html, raw.url, cfg)
    else:
        text, title, metadata = _from_text(raw.text or "")
    if not text.strip():
        raise ExtractionFailed("no article text found", reason="no_content")
    hints = {k: v for k, v in (("published_at", raw.published_at), ("fetched_at", raw.fetched_at),
                               ("language", raw.language)) if v}
    return Article(id=raw.id, text=text, url=raw.url, source=raw.source or metadata.get("sitename"),
                   title=title, meta=raw.meta, hints=hints, metadata=metadata)


def _from_html(html: str, url: str | None, cfg: ExtractConfig) -> tuple[str, str | None, dict[str, Any]]:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      favor_precision=cfg.favor_precision)
    if doc is None:
        return "", None, {}
    text = paragraphs(doc.text or "")
    metadata = {k: v for k, v in {
        "authors": doc.author, "sitename": doc.sitename, "description": doc.description,
        "categories": doc.categories or None, "tags": doc.tags or None, "image": doc.image,
        "canonical_url": doc.url, "date": doc.date, "method": "trafilatura",
    }.items() if v}
    return text, doc.title, metadata


def _from_text(text: str) -> tuple[str, str | None, dict[str, Any]]:
    cleaned = textclean.clean(text)
    metadata = {k: v for k, v in {"kicker": cleaned.kicker, "teaser": cleaned.teaser, "date": cleaned.date_text,
                                  "byline": cleaned.byline, "method": "text"}.items() if v}
    return "\n\n".join(cleaned.body), cleaned.title, metadata


def paragraphs(text: str) -> str:
    """One paragraph per non-empty line, separated by a blank line, inner whitespace collapsed."""
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n\n".join(line for line in lines if line)
