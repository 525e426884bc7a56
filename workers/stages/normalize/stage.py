"""Normalize stage: clean text, language, publication instant with its zone, date mentions in the text.

Pure: the caller passes `now` (only used to reject dates in the future). Order matters: the text is
cleaned first, so the offsets of `dates` (and of the tag stage's entities) index the final `text`.
An implausible date never fails the article: it is dropped, recorded in `date_issues`, and the next
candidate is tried (production users want the article even when its date is bad).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from workers.records import Article
from workers.stages.normalize.language import LanguageConfig, detect_language
from workers.stages.normalize.pubdate import resolve
from workers.stages.normalize.text import clean_line, clean_text
from workers.stages.normalize.textdates import find_dates


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    language: LanguageConfig = dataclasses.field(default_factory=LanguageConfig)
    find_text_dates: bool = True


def run(article: Article, cfg: NormalizeConfig, now: datetime) -> Article:
    """The stage's entry point (top-level, so it pickles for the process pool)."""
    text = clean_text(article.text)
    title = clean_line(article.title) if article.title else article.title
    language = detect_language(f"{title or ''}\n{text}", article.hints.get("language"), cfg.language)
    code = str(language["code"])
    hosts = [article.url, article.metadata.get("canonical_url"), article.source,
             article.metadata.get("sitename")]
    resolution = resolve(text, article.metadata, article.hints, url=article.url, hosts=hosts,
                         language=code if code != "und" else None, now=now)
    published = resolution.published
    dates = find_dates(text, published.local.date() if published else None,
                       language=code) if cfg.find_text_dates else []
    return dataclasses.replace(
        article,
        text=text,
        title=title,
        language=language,
        published_at=iso_utc(published.utc) if published else None,
        published_local=published.local.isoformat() if published else None,
        timezone=published.zone if published else None,
        timezone_source=published.zone_source if published else None,
        published_source=published.source if published else None,
        published_precision=published.precision if published else None,
        date_issues=resolution.issues,
        dates=dates,
    )


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
