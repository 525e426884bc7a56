"""The event loop moves bytes only: a record is decoded, worked on and encoded in the pool, and the
dedup verdict's status rides on the `Outcome`, so neither the hop nor the metrics parse a record."""

from __future__ import annotations

import orjson
import pytest

from workers.errors import DecodeFailed
from workers.records import Article
from workers.runtime.steps import Steps, _timed_record, verdict_status
from workers.stages import extract


def _titled(article: Article, title: str) -> Article:
    return Article(**{**orjson.loads(article.to_bytes()), "title": title})


def test_a_record_is_decoded_worked_on_and_encoded_in_the_pool_function() -> None:
    value = Article(id="a-1", text="Body text.", url="https://example.org/a").to_bytes()
    article_id, encoded = _timed_record("normalize", _titled, value, "Made here")
    out = orjson.loads(encoded)
    assert article_id == "a-1"
    assert out["title"] == "Made here"
    assert out["text"] == "Body text."
    assert set(out["timings"]) == {"normalize"}
    assert out["timings"]["normalize"] >= 0


def test_a_record_that_is_not_an_article_fails_as_the_records_fault() -> None:
    with pytest.raises(DecodeFailed):
        _timed_record("normalize", _titled, b"[1, 2]", "x")


@pytest.mark.parametrize("status", ["unique", "exact", "near"])
def test_the_verdict_status_is_read_from_the_verdict_alone(status: str) -> None:
    verdict = orjson.dumps({"status": status, "of": None, "similarity": None, "cluster_id": "c"})
    assert verdict_status(verdict) == status


@pytest.mark.parametrize("record", [
    {"id": "1", "url": "https://www.example.org/a", "text": "Some text"},
    {"id": "2", "url": "https://example.org/a", "text": "Some text", "source": " Agency "},
    {"id": "3", "url": "https://example.org/a", "html": "<p>text</p>"},
    {"id": "4", "url": "https://example.org/a", "html": "<p>\"text\" quoted</p>", "text": None},
    {"id": "5", "url": "https://example.org/a", "text": ["text"]},
    {"id": "6", "url": "https://example.org/a", "html": "<p>a</p>", "title": "text"},
])
def test_the_profile_key_is_the_stages_own_answer(record: dict[str, object]) -> None:
    """The byte pre-check only skips parses whose answer is None anyway."""
    value = orjson.dumps(record)
    assert Steps.profile_key(value) == extract.source_key(value)


def test_an_html_page_is_not_parsed_for_its_profile_key() -> None:
    page = orjson.dumps({"id": "1", "url": "https://example.org/a", "html": '<a type="text">x</a>' * 1000})
    assert b'"text"' not in page
    assert Steps.profile_key(page) is None
