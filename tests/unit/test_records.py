"""Decoding raw records and building the public events: every bad input gets its own reason."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from workers.errors import DecodeFailed, InputTooLarge, StageTimeout
from workers.records import (
    Article,
    content_id,
    deadletter_event,
    deadletter_input,
    decode_raw,
    enriched_event,
    record_id,
)
from workers.schemas import validator

LIMIT = 1_000_000


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"", "empty_record"),
        (b"   \n", "empty_record"),
        (b'{"text": "unterminated', "invalid_json"),
        (b"\xff\xfe{}", "not_utf8"),
        (b'{"text": "caf\xe9"}', "not_utf8"),
        (b"[1, 2]", "invalid_record"),
        (b'"just a string"', "invalid_record"),
        (b'{"url": "https://example.org"}', "missing_content"),
        (b'{"html": "<p>a</p>", "text": "a"}', "ambiguous_content"),
        (b'{"text": 42}', "invalid_record"),
        (b'{"text": "a", "meta": [1]}', "invalid_record"),
        (b'{"text": "a", "id": ""}', "invalid_record"),
    ],
)
def test_bad_raw_records_fail_with_a_specific_reason(value: bytes, reason: str) -> None:
    with pytest.raises(DecodeFailed) as caught:
        decode_raw(value, max_bytes=LIMIT)
    assert caught.value.reason == reason


def test_oversized_record_is_rejected_before_parsing() -> None:
    with pytest.raises(InputTooLarge) as caught:
        decode_raw(b'{"text": "' + b"a" * 2000 + b'"}', max_bytes=1000)
    assert caught.value.reason == "too_large"


def test_id_defaults_to_the_url_hash_then_the_content_hash() -> None:
    with_url = decode_raw(b'{"url": "https://example.org/a", "text": "x"}', max_bytes=LIMIT)
    assert with_url.id == content_id(b"https://example.org/a")
    without_url = b'{"text": "x"}'
    assert decode_raw(without_url, max_bytes=LIMIT).id == content_id(without_url)
    assert decode_raw(b'{"id": "given", "text": "x"}', max_bytes=LIMIT).id == "given"


def test_record_id_prefers_key_then_id_then_url_and_names_undecodable_input() -> None:
    assert record_id(b"k1", b'{"id": "other"}') == "k1"
    assert record_id(None, b'{"id": "i1", "text": "x"}') == "i1"
    assert record_id(None, b'{"url": "u"}') == content_id(b"u")
    assert record_id(None, b"\xff not json") == content_id(b"\xff not json")


def test_unknown_fields_are_accepted_and_meta_passes_through() -> None:
    raw = decode_raw(b'{"text": "x", "meta": {"feed": "wire"}, "extra": 1}', max_bytes=LIMIT)
    assert raw.meta == {"feed": "wire"}


def test_deadletter_keeps_the_exact_bytes_even_when_not_utf8() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for data in (b'{"broken', b"\x00\xff\xfe binary"):
        event = deadletter_event("id-1", "extract", StageTimeout("slow"), data, now)
        assert not list(validator("deadletter").iter_errors(event))
        assert deadletter_input(orjson.loads(orjson.dumps(event))) == data
        assert event["error"] == {"type": "timeout", "message": "slow"}


def test_article_round_trips_and_enriched_event_matches_the_schema() -> None:
    article = Article(id="a1", text="Body.", title="T", language={"code": "de", "confidence": 0.9},
                      duplicate={"status": "unique", "of": None, "similarity": None, "cluster_id": "a1"})
    assert Article.from_bytes(article.to_bytes()) == article
    event = enriched_event(article.timed("extract", 1.5))
    assert not list(validator("enriched").iter_errors(event))
    assert event["provenance"]["timings_ms"] == {"extract": 1.5}


def test_a_record_that_is_not_an_article_is_a_decode_failure() -> None:
    with pytest.raises(DecodeFailed):
        Article.from_bytes(b'{"no": "id"}')
