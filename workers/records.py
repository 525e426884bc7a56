"""Records on the wire: decoding raw input, the working document between stages, and the output events.

The raw topic is user input and is decoded defensively (every failure is a `DecodeFailed` with a
reason). Intermediate topics carry an `Article` that we wrote ourselves, serialised with orjson.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from workers import __version__
from workers.errors import DecodeFailed, InputTooLarge, StageError
from workers.schemas import validator

SCHEMA_VERSION = "1.0"

JSON = dict[str, Any]


def content_id(data: bytes) -> str:
    """A stable id for input that brings none: the first 16 hex digits of its SHA-1."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16]


def record_id(key: bytes | None, value: bytes) -> str:
    """The id of a raw record: its Kafka key, else its `id`, else sha1(url), else sha1(bytes).

    Lenient on purpose: it also names records that fail to decode, so their dead letter is keyed
    by the id the producer meant.
    """
    if key:
        try:
            return key.decode("utf-8")
        except UnicodeDecodeError:
            return key.hex()
    try:
        obj = orjson.loads(value)
    except orjson.JSONDecodeError:
        return content_id(value)
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str) and obj["id"]:
            return str(obj["id"])
        if isinstance(obj.get("url"), str) and obj["url"]:
            return content_id(obj["url"].encode())
    return content_id(value)


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One validated input record from `articles.raw` (exactly one of `html` / `text`)."""

    id: str
    url: str | None = None
    html: str | None = None
    text: str | None = None
    source: str | None = None
    published_at: str | None = None
    fetched_at: str | None = None
    language: str | None = None
    meta: JSON = field(default_factory=dict)


# Raw records larger than this are dead-lettered (`too_large`) before parsing. The default of
# `Settings.max_input_bytes`; kept here, beside the check, so the extract stage's config can default to
# it without importing the settings.
MAX_INPUT_BYTES = 8 * 1024 * 1024


def decode_raw(data: bytes, *, max_bytes: int) -> RawArticle:
    """Parse and validate one raw record; raise `DecodeFailed`/`InputTooLarge` with a clear reason."""
    if not data or not data.strip():
        raise DecodeFailed("empty record value", reason="empty_record")
    if len(data) > max_bytes:
        raise InputTooLarge(f"record is {len(data):,} bytes, limit is {max_bytes:,}")
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = "not_utf8" if "utf-8" in str(exc).lower() else "invalid_json"
        raise DecodeFailed(f"value is not valid JSON: {exc}", reason=reason) from exc
    if not isinstance(obj, dict):
        raise DecodeFailed(f"value must be a JSON object, got {type(obj).__name__}", reason="invalid_record")
    has_html, has_text = obj.get("html") is not None, obj.get("text") is not None
    if not has_html and not has_text:
        raise DecodeFailed("record has neither 'html' nor 'text'", reason="missing_content")
    if has_html and has_text:
        raise DecodeFailed("record has both 'html' and 'text'; send exactly one", reason="ambiguous_content")
    errors = sorted(validator("raw").iter_errors(obj), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(root)"
        raise DecodeFailed(f"schema violation at {where}: {first.message}", reason="invalid_record")
    if "id" not in obj or not obj["id"]:
        obj["id"] = content_id(obj["url"].encode()) if obj.get("url") else content_id(data)
    known = {f.name for f in dataclasses.fields(RawArticle)}
    return RawArticle(**{k: v for k, v in obj.items() if k in known and v is not None})


@dataclass(frozen=True, slots=True)
class Article:
    """The working document that flows between stages; each stage fills its own fields.

    Stages never mutate an `Article`: they return `dataclasses.replace(article, ...)`.
    """

    id: str
    text: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    meta: JSON = field(default_factory=dict)
    # Hints from the producer, kept for later stages (published_at, fetched_at, language).
    hints: JSON = field(default_factory=dict)
    # extract: metadata found by the extractor (authors, sitename, description, categories, tags,
    # image, canonical_url, date, modified_at, kicker, method, ...).
    metadata: JSON = field(default_factory=dict)
    dateline: JSON | None = None
    credits: list[str] = field(default_factory=list)
    # normalize
    language: JSON | None = None
    published_at: str | None = None
    published_local: str | None = None
    timezone: str | None = None
    published_source: str | None = None
    published_precision: str | None = None  # day | minute | second
    timezone_source: str | None = None  # offset | domain | region | language | assumed
    date_issues: list[JSON] = field(default_factory=list)  # rejected date candidates, with reasons
    dates: list[JSON] = field(default_factory=list)
    # tag
    entities: list[JSON] = field(default_factory=list)
    entity_summary: list[JSON] = field(default_factory=list)
    entities_status: str | None = None
    # dedup
    duplicate: JSON | None = None
    # provenance: stage name -> milliseconds spent in the stage function
    timings: dict[str, float] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return orjson.dumps(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Article:
        """Decode an intermediate record; a record we cannot read is dead-lettered, not retried."""
        try:
            obj = orjson.loads(data)
            known = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in obj.items() if k in known})
        except (orjson.JSONDecodeError, TypeError, AttributeError) as exc:
            raise DecodeFailed(f"not an intermediate article record: {exc}") from exc

    def timed(self, stage: str, ms: float) -> Article:
        return dataclasses.replace(self, timings={**self.timings, stage: round(ms, 3)})


def enriched_event(article: Article) -> JSON:
    """The public `articles.enriched` v1 event (see schemas/enriched.v1.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": article.id,
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "text": article.text,
        "language": article.language or {"code": "und", "confidence": 0.0},
        "published_at": article.published_at,
        "published_local": article.published_local,
        "timezone": article.timezone,
        "published_source": article.published_source,
        "published_precision": article.published_precision,
        "timezone_source": article.timezone_source,
        "date_issues": article.date_issues,
        "dates": article.dates,
        "entities": article.entities,
        "entity_summary": article.entity_summary,
        "entities_status": article.entities_status,
        "duplicate": article.duplicate,
        "dateline": article.dateline,
        "credits": article.credits,
        "metadata": article.metadata,
        "meta": article.meta,
        "provenance": {"pipeline_version": __version__, "timings_ms": article.timings},
    }


def deadletter_event(record_id: str, stage: str, error: StageError, data: bytes, now: datetime) -> JSON:
    """The `articles.deadletter` event: reason, message and the exact input bytes, replayable."""
    try:
        original, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        original, encoding = base64.b64encode(data).decode("ascii"), "base64"
    return {
        "schema_version": SCHEMA_VERSION,
        "id": record_id,
        "stage": stage,
        "error": {"type": error.reason, "message": error.message[:2000]},
        "input": original,
        "input_encoding": encoding,
        "at": now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def deadletter_input(event: JSON) -> bytes:
    """The original bytes kept in a dead-letter event (inverse of `deadletter_event`)."""
    if event.get("input_encoding") == "base64":
        return base64.b64decode(event["input"])
    return str(event["input"]).encode("utf-8")
