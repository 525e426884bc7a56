"""Extract stage: raw record bytes -> `Article` with clean body text, title, page metadata and wire fields.

Pure: no Kafka, no network (trafilatura never fetches; we hand it the page), no clock. HTML goes
through trafilatura (`html`), plain text through the crawler's date token (`crawler`) and our
line-based cleaner (`plaintext`), and both through the wire conventions (`wire`: dateline, sign-off,
picture credits). Whatever client produced the record, the same bytes give the same article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from workers.errors import ExtractionFailed
from workers.records import MAX_INPUT_BYTES, Article, RawArticle, decode_raw
from workers.stages.extract import crawler, html, plaintext, profiles, wire
from workers.stages.extract.profiles import Profile
from workers.stages.urls import host_of, url_like


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    max_input_bytes: int = MAX_INPUT_BYTES  # Settings.max_input_bytes (the same default)
    favor_precision: bool = False
    # Pages with more elements than this are refused (`too_large`) before trafilatura walks them:
    # the largest dev page has 10,106; a 14 MB page of 250k paragraphs takes trafilatura ~30 s.
    max_html_elements: int = 100_000
    # `metadata.modified_date` from the markup's last-modified stamp (read with the publication stamp).
    modified_date: bool = True
    # Per-source profile: a line seen in at least `profile_min_share` of the source's last
    # articles (and at least `profile_min_articles` of them) is boilerplate for that source.
    profile_min_articles: int = 3
    profile_min_share: float = 0.5
    profile_max_lines: int = 1000


def run(data: bytes, cfg: ExtractConfig, profile: Profile | None = None) -> Article:
    """Decode one raw record and extract it; the stage's entry point (top-level, so it pickles).

    `profile` is the source's boilerplate profile (see `profiles`), or None for a source
    never seen: the text must then come out clean from its own features alone.
    """
    return extract(decode_raw(data, max_bytes=cfg.max_input_bytes), cfg, profile)


def extract(raw: RawArticle, cfg: ExtractConfig, profile: Profile | None = None) -> Article:
    """The article in one validated record. A plain text's leading ` date YYYY-MM-DD ` token (`crawler`)
    is the publication hint when the record names none, and leaves the text in any case."""
    published_hint = raw.published_at
    if raw.html is not None:
        # The page's URL is handed to trafilatura and htmldate only when it is one (`urls.url_like`).
        page = html.extract_html(raw.html, raw.url if url_like(raw.url) else None,
                                 favor_precision=cfg.favor_precision, max_elements=cfg.max_html_elements,
                                 modified_date=cfg.modified_date)
        paragraphs, title, metadata = plaintext.drop_chrome(page.paragraphs), page.title, page.metadata
        credits: list[str] = []
    else:
        day, text = crawler.leading_date(raw.text or "")
        published_hint = published_hint or day
        paragraphs, title, metadata, credits = _from_text(text, profile, cfg)
    split = wire.split_wire(paragraphs)
    text = "\n\n".join(split.paragraphs)
    if not text.strip():
        raise ExtractionFailed("no article text found", reason="no_content")
    hints = {k: v for k, v in (("published_at", published_hint), ("fetched_at", raw.fetched_at),
                               ("language", raw.language)) if v}
    return Article(id=raw.id, text=text, url=raw.url, source=raw.source or metadata.get("sitename"),
                   title=title, meta=raw.meta, hints=hints, metadata=metadata, dateline=split.dateline,
                   credits=_unique(credits + split.credits))


def source_key(data: bytes) -> str | None:
    """The profile-table key of a plain-text record (its `source`, else its URL's host), or None.

    Cheap on purpose (no schema validation): the agent calls it in the event loop to fetch the
    profile before `run`. HTML records need no profile (trafilatura reads the markup).
    """
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or obj.get("html") is not None:
        return None
    if isinstance(obj.get("source"), str) and obj["source"].strip():
        return str(obj["source"]).strip().lower()
    host = host_of(obj.get("url"))
    return host.removeprefix("www.") if host else None


def learn(data: bytes, profile: Profile | None, cfg: ExtractConfig) -> Profile | None:
    """The source's profile after this record (None when the record is not plain text).

    Call it after `run` succeeded, so a record that was dead-lettered teaches nothing.
    """
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return None
    _, text = crawler.leading_date(obj["text"])  # the lines `extract` read, not the token's day
    return profiles.update(profile, plaintext.split_lines(text), max_lines=cfg.profile_max_lines)


def _from_text(text: str, profile: Profile | None,
               cfg: ExtractConfig) -> tuple[list[str], str | None, dict[str, Any], list[str]]:
    lines = plaintext.split_lines(text)
    known = profiles.known_lines(profile, lines, min_articles=cfg.profile_min_articles,
                                 min_share=cfg.profile_min_share)
    cleaned = plaintext.clean(text, known_boilerplate=known)
    if known and not cleaned.body:  # a story the source sent before (an update): trust the features
        known = frozenset()
        cleaned = plaintext.clean(text)
    found = {"kicker": cleaned.kicker, "teaser": cleaned.teaser, "date": cleaned.date_text,
             "byline": cleaned.byline, "method": "text"}
    metadata: dict[str, Any] = {k: v for k, v in found.items() if v}
    if known:
        metadata["profile_dropped"] = len(known)
    credits = [line for line in cleaned.dropped if wire.picture_credit(line)]
    return cleaned.body, cleaned.title, metadata, credits


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
