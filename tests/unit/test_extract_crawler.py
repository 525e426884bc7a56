"""The crawler's leading ` date YYYY-MM-DD ` token is read by the extract stage, whoever sent the record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from bench.devdata import seed_paths
from workers.cli.inputs import file_records
from workers.records import Article
from workers.stages import extract, normalize
from workers.stages.extract.crawler import leading_date

WIRE = ("WASHINGTON (dpa-AFX) - Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt für den "
        "Hafen beschlossen. Die Opposition kritisierte die Pläne als zu teuer und kündigte Widerstand an./ab/DP/cd")


def _extract(record: dict[str, object]) -> Article:
    return extract.run(orjson.dumps(record), extract.ExtractConfig())


@pytest.mark.parametrize(("text", "day", "rest"), [
    (" date 2025-12-31 WASHINGTON (dpa-AFX) - Der", "2025-12-31", "WASHINGTON (dpa-AFX) - Der"),
    ("date 2025-12-31\nAlles zu oe24VIP", "2025-12-31", "Alles zu oe24VIP"),
    ("\n date   2024-02-29 \t Text", "2024-02-29", "Text"),
    (" date 2025-12-31", "2025-12-31", ""),
    (" date 2025-13-45 Text", None, " date 2025-13-45 Text"),   # not a calendar day: left as written
    (" date 2025-12-31x Text", None, " date 2025-12-31x Text"),
    ("Update date 2025-12-31 Text", None, "Update date 2025-12-31 Text"),  # only at the very start
    (" Date 2025-12-31 Text", None, " Date 2025-12-31 Text"),   # the crawler writes it in lower case
])
def test_leading_date(text: str, day: str | None, rest: str) -> None:
    assert leading_date(text) == (day, rest)


def test_the_token_leaves_the_text_and_the_wire_dateline_and_signoff_are_found() -> None:
    article = _extract({"id": "w", "text": f" date 2025-12-31 {WIRE}"})
    assert article.dateline == {"place": "WASHINGTON", "agency": "dpa-AFX"}
    assert article.text.startswith("Der Stadtrat hat am Dienstag")
    assert article.credits == ["/ab/DP/cd"]
    assert article.hints == {"published_at": "2025-12-31"}
    dated = normalize.run(article, normalize.NormalizeConfig(), datetime(2026, 1, 2, tzinfo=UTC))
    assert (dated.published_local, dated.published_precision) == ("2025-12-31T12:00:00+01:00", "day")


def test_a_published_at_field_wins_over_the_token_and_the_token_still_leaves_the_text() -> None:
    article = _extract({"id": "w", "text": f" date 2025-12-31 {WIRE}", "published_at": "2025-12-30T08:15:00Z"})
    assert article.hints == {"published_at": "2025-12-30T08:15:00Z"}
    assert article.dateline == {"place": "WASHINGTON", "agency": "dpa-AFX"}


def test_html_is_not_read_for_the_token() -> None:
    page = f"<html><body><article><p>date 2025-12-31 {WIRE}</p></article></body></html>"
    assert "published_at" not in _extract({"id": "h", "html": page}).hints


def test_produce_sends_a_text_file_as_written(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(f" date 2025-12-31 {WIRE}", encoding="utf-8")
    (value,) = file_records(path)
    assert orjson.loads(value) == {"text": f" date 2025-12-31 {WIRE}", "meta": {"file": "story.txt"}}


@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name)
def test_a_seed_sent_raw_extracts_as_the_produce_record_does(path: Path) -> None:
    """`{"id", "text": <the file>}` from any client == `news-ingest produce seed.txt` (its id and meta aside)."""
    (produced,) = file_records(path)
    raw = _extract({"id": "raw", "text": path.read_text(encoding="utf-8")})
    via_produce = _extract(orjson.loads(produced))
    assert raw.to_bytes() == via_produce.to_bytes().replace(
        orjson.dumps(via_produce.id), b'"raw"').replace(b'"meta":{"file":"' + path.name.encode() + b'"}', b'"meta":{}')
