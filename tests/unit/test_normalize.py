"""The normalize stage end to end: seeds through extract + normalize, and the stage's contracts."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime

import pytest

from bench.devdata import seed_paths
from workers.records import Article, RawArticle, enriched_event
from workers.schemas import validator
from workers.settings import Settings
from workers.stages import extract, normalize

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
CFG = normalize.NormalizeConfig()


def _seed(outlet_line: str) -> Article:
    """The seed whose text contains `outlet_line` (seeds are chosen by content only inside the test)."""
    for path in seed_paths():
        text = path.read_text(encoding="utf-8")  # the crawler's ` date YYYY-MM-DD ` token included
        if outlet_line in text:
            raw = RawArticle(id=path.stem, text=text)
            return normalize.run(extract.extract(raw, extract.ExtractConfig()), CFG, NOW)
    raise AssertionError(f"no seed contains {outlet_line!r}")


def _dates(article: Article) -> list[tuple[str, str]]:
    return [(d["text"], d["value"]) for d in article.dates]


def test_seed_oe24_publication_instant_and_zone() -> None:
    article = _seed("oe24")
    assert article.published_at == "2025-12-31T19:50:00Z"
    assert article.published_local == "2025-12-31T20:50:00+01:00"
    assert article.timezone == "Europe/Vienna"
    assert article.published_precision == "minute"
    assert article.language is not None
    assert article.language["code"] == "de"


def test_seed_oe24_date_mentions() -> None:
    found = _dates(_seed("oe24"))
    assert ("am Mittwoch", "2025-12-31") in found
    assert found.count(("3. Jänner", "2026-01-03")) == 2
    assert ("6. Jänner", "2026-01-06") in found


def test_seed_wire_dates() -> None:
    article = _seed("dpa-AFX")
    # only the crawler's ` date 2025-12-31 ` token dates it: a day, placed at noon local time
    assert (article.published_precision, article.published_source) == ("day", "hint")
    assert article.published_local == "2025-12-31T12:00:00+01:00"
    assert article.published_at is not None
    assert article.published_at.startswith("2025-12-31")
    assert article.published_local is not None
    assert article.published_local.startswith("2025-12-31")
    assert article.language is not None
    assert article.language["code"] == "de"
    found = _dates(article)
    assert found.count(("3. Januar", "2026-01-03")) == 2
    assert ("6. Januar", "2026-01-06") in found


def test_date_offsets_index_the_final_text() -> None:
    text = "Wien\u00ad \u200bam  Mittwoch\n\n\n\nAm 3.\u00a0Jänner   tagt der Rat."
    article = normalize.run(Article(id="x", text=text, hints={"published_at": "2025-12-31"}), CFG, NOW)
    assert article.text == "Wien am Mittwoch\n\nAm 3. Jänner tagt der Rat."
    for mention in article.dates:
        assert article.text[mention["start"]:mention["end"]] == mention["text"]
    assert _dates(article) == [("am Mittwoch", "2025-12-31"), ("3. Jänner", "2026-01-03")]


def test_implausible_dates_are_dropped_with_a_reason_and_the_article_kept() -> None:
    article = Article(id="x", text="Ein kurzer Text über die Sitzung des Gemeinderats in Graz.",
                      metadata={"date": "2031-05-01"}, hints={"published_at": "1985-02-03"})
    result = normalize.run(article, CFG, NOW)
    assert result.published_at is None
    assert result.published_source is None
    assert {(i["source"], i["reason"]) for i in result.date_issues} == {
        ("metadata", "date_in_future"), ("hint", "date_before_1990")}


def test_implausible_metadata_date_falls_back_to_the_next_source() -> None:
    article = Article(id="x", text="Ein kurzer Text über die Sitzung des Gemeinderats in Graz.",
                      url="https://example.at/2025/12/30/sitzung", metadata={"date": "1970-01-01"})
    result = normalize.run(article, CFG, NOW)
    assert result.published_source == "url"
    assert result.published_local == "2025-12-30T12:00:00+01:00"
    assert result.timezone == "Europe/Vienna"
    assert result.date_issues[0]["reason"] == "date_before_1990"


def test_event_with_normalize_fields_matches_the_schema() -> None:
    article = dataclasses.replace(_seed("oe24"), duplicate={  # filled by the dedup stage, later
        "status": "unique", "of": None, "similarity": None, "cluster_id": "c1"})
    errors = list(validator("enriched").iter_errors(enriched_event(article)))
    assert errors == []


def test_config_and_run_pickle_for_the_pool() -> None:
    assert pickle.loads(pickle.dumps(CFG)) == CFG  # noqa: S301  (our own bytes)
    assert pickle.loads(pickle.dumps(normalize.run)) is normalize.run  # noqa: S301


@pytest.mark.parametrize("title", [None, "  USA\u00ad nehmen  neuen Anlauf  "])
def test_title_is_cleaned_to_one_line(title: str | None) -> None:
    article = normalize.run(Article(id="x", text="Text", title=title), CFG, NOW)
    assert article.title == (None if title is None else "USA nehmen neuen Anlauf")


def test_settings_build_the_config_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_LANGUAGE_MIN_MARGIN", "0.35")
    monkeypatch.setenv("NEWS_INGEST_LANGUAGE_MIN_SHARE", "0.8")
    monkeypatch.setenv("NEWS_INGEST_NORMALIZE_TEXT_DATES", "false")
    cfg = Settings().normalize_config()
    assert (cfg.language.min_margin, cfg.language.min_share, cfg.find_text_dates) == (0.35, 0.8, False)
    article = Article(id="x", text="Am Mittwoch.", hints={"published_at": "2025-12-31"})
    article = normalize.run(article, cfg, NOW)
    assert article.dates == []
