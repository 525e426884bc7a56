"""Property-based tests of each stage's pure entry point: an article comes out, or a typed stage error.

Anything else (`OverflowError`, `ValueError`, `KeyError`...) is a bug of ours that the worker would
dead-letter as `stage_crashed`; the side calls the extract agent makes in the event loop
(`source_key`, `learn`) must not raise at all, since there a failure stops the worker. The inputs and
the search budget are in `tests/support/properties.py` (profiles `ci`, `dev`, `search`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests.support.properties import (
    ASCII_IDS,
    DATE_STRINGS,
    NOWS,
    SITE_NAMES,
    TEXTS,
    URLS,
    hints,
    metadata,
    raw_records,
)
from workers.errors import StageError
from workers.records import Article, enriched_event
from workers.schemas import validator
from workers.stages import dedup, extract, normalize, tag

pytestmark = pytest.mark.properties

EXTRACT = extract.ExtractConfig()
NORMALIZE = normalize.NormalizeConfig()
DEDUP = dedup.DedupConfig()


def passes_on(article: Article) -> None:
    """What the next topic needs of a stage's output: an `Article` that survives its own encoding."""
    assert isinstance(article, Article)
    assert isinstance(article.text, str)
    assert Article.from_bytes(article.to_bytes()).to_bytes() == article.to_bytes()


@given(raw_records(), st.booleans())
def test_extract_returns_an_article_or_a_stage_error(data: bytes, learned: bool) -> None:
    note(repr(data[:500]))
    source = extract.source_key(data)  # in the event loop: must never raise
    assert source is None or isinstance(source, str)
    profile = extract.learn(data, None, EXTRACT) if learned else None
    try:
        article = extract.run(data, EXTRACT, profile)
    except StageError as exc:
        # either outcome is allowed (pytest.raises would demand the error): only a crash fails
        assert exc.reason != "stage_crashed"  # noqa: PT017
        return
    passes_on(article)
    assert article.text.strip()
    extract.learn(data, profile, EXTRACT)


ARTICLES = st.builds(
    Article, id=ASCII_IDS, text=TEXTS, title=st.none() | st.text(max_size=60), url=st.none() | URLS,
    source=st.none() | SITE_NAMES, metadata=metadata(), hints=hints())


@given(ARTICLES, NOWS)
def test_normalize_returns_an_article_or_a_stage_error(article: Article, now: datetime) -> None:
    try:
        done = normalize.run(article, NORMALIZE, now)
    except StageError:
        return
    passes_on(done)
    for mention in done.dates:
        assert done.text[mention["start"]:mention["end"]] == mention["text"]
    if done.published_at is not None:
        assert done.published_at.endswith("Z")
        assert "1990-01-01T00:00:00Z" <= done.published_at <= "2100-01-03"
    assert all(issue["reason"] in {"date_before_1990", "date_in_future"} for issue in done.date_issues)
    event = enriched_event(done)
    verdict = {"status": "unique", "of": None, "similarity": None, "cluster_id": done.id}  # dedup's, not ours
    errors = [e.message for e in validator("enriched").iter_errors({**event, "duplicate": verdict})]
    assert not errors, errors


@pytest.fixture(scope="module")
def tag_config() -> tag.TagConfig:
    """The tag stage's entry point as the tree has it; its model is loaded once, outside the examples."""
    cfg = tag.TagConfig()
    warm = Article(id="warm", text="Angela Merkel besuchte Berlin.", language={"code": "de", "confidence": 1.0})
    try:
        tag.run(warm, cfg)
    except StageError:
        pass
    except Exception as exc:  # a model not shipped in this tree is a deploy fault, not the input's
        if type(exc).__name__ != "ModelUnavailable":
            raise
        pytest.skip(f"tag stage has no model in this tree: {exc}")
    return cfg


SMALL_ARTICLES = st.builds(
    Article, id=ASCII_IDS, text=TEXTS.map(lambda t: t[:400]), title=st.none() | st.text(max_size=40),
    language=st.one_of(st.none(), st.builds(lambda code: {"code": code, "confidence": 0.9},
                                            st.sampled_from(["de", "en", "fr", "ja", "und", "", "EN"]))))


@given(article=SMALL_ARTICLES)
def test_tag_returns_an_article_or_a_stage_error(tag_config: tag.TagConfig, article: Article) -> None:
    try:
        done = tag.run(article, tag_config)
    except StageError:
        return
    passes_on(done)
    for entity in done.entities:
        assert done.text[entity["start"]:entity["end"]] == entity["text"]
        assert entity["label"] in {"PER", "ORG", "LOC", "MISC"}


_STORY_WORDS = ("the", "council", "approved", "new", "harbour", "budget", "after", "long", "debate", "on", "tuesday",
                "opposition", "criticised", "plans", "as", "too", "expensive")
_STORY = st.lists(st.sampled_from(_STORY_WORDS), max_size=80)
DEDUP_ARTICLES = st.builds(
    Article, id=st.sampled_from(["a", "b", "c", "d"]) | ASCII_IDS, text=st.one_of(_STORY.map(" ".join), TEXTS),
    url=st.none() | URLS, published_at=st.none() | DATE_STRINGS | st.text(max_size=10),
    hints=st.builds(lambda fetched: {"fetched_at": fetched} if fetched is not None else {},
                    st.none() | DATE_STRINGS | st.text(max_size=10)))


@given(st.lists(DEDUP_ARTICLES, min_size=1, max_size=6))
def test_dedup_returns_an_article_or_a_stage_error_and_keeps_a_json_index(articles: list[Article]) -> None:
    index: dict[str, Any] = {}
    for article in articles:
        try:
            done = dedup.run(article, index, DEDUP)
        except StageError:
            continue
        passes_on(done)
        assert done.duplicate is not None
        assert done.duplicate["status"] in {"unique", "exact", "near"}
        assert done.duplicate["of"] != article.id
    orjson.dumps(index)  # the Faust table stores every value as JSON
