"""The two seed articles come out as the seeds README says (oe24 page text; dpa-AFX wire text).

Each seed goes in as a user's own client would send it: `{"id": ..., "text": <the file's text>}`, the
crawler's leading ` date YYYY-MM-DD ` token included; the extract stage itself reads that token.
"""

from __future__ import annotations

import orjson
import pytest

from bench.devdata import seed_paths
from workers.records import Article
from workers.stages import extract
from workers.stages.extract.crawler import leading_date


def _seed(prefix: str) -> tuple[str, Article]:
    """(the seed's text after its date token, the extracted article of the raw record of the whole file)."""
    path = next(p for p in seed_paths() if p.name.startswith(prefix))
    text = path.read_text(encoding="utf-8")
    record = {"id": path.stem, "text": text}
    return leading_date(text)[1], extract.run(orjson.dumps(record), extract.ExtractConfig())


@pytest.fixture(scope="module")
def oe24() -> tuple[str, Article]:
    return _seed("000_")


@pytest.fixture(scope="module")
def dpa() -> tuple[str, Article]:
    return _seed("001_")


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_oe24_body_is_exactly_the_article_paragraphs_in_order(oe24: tuple[str, Article]) -> None:
    raw, article = oe24
    lines = _lines(raw)
    first = next(i for i, line in enumerate(lines) if line.startswith("Die USA haben nach eigenen Angaben"))
    last = next(i for i, line in enumerate(lines) if line.endswith('an einen "Sieg" Russlands.'))
    assert article.text.split("\n\n") == lines[first:last + 1]


def test_oe24_chrome_lines_are_all_gone(oe24: tuple[str, Article]) -> None:
    raw, article = oe24
    body = set(article.text.split("\n\n"))
    lines = _lines(raw)
    first = next(i for i, line in enumerate(lines) if line.startswith("Die USA haben nach eigenen Angaben"))
    last = next(i for i, line in enumerate(lines) if line.endswith('an einen "Sieg" Russlands.'))
    chrome = lines[:first] + lines[last + 1:]
    assert len(chrome) > 20
    assert not body & set(chrome)
    for word in ("LOGIN", "Teilen", "Jetzt melden", "Top-Stories", "Startseite", "E-Paper"):
        assert word not in article.text


def test_oe24_headline_kicker_and_time_stamp_are_recognised(oe24: tuple[str, Article]) -> None:
    _, article = oe24
    assert article.title == "USA nehmen neuen Anlauf für Ukraine-Frieden"
    assert article.metadata["kicker"] == "Fruchtbares Gespräch"
    assert article.metadata["date"] == "31.12.25, 20:50"
    assert article.metadata["teaser"].startswith("Die USA haben nach eigenen Angaben")
    assert article.credits == ["© Getty"]


def test_dpa_dateline_and_signoff_leave_the_body(dpa: tuple[str, Article]) -> None:
    raw, article = dpa
    assert article.dateline == {"place": "WASHINGTON", "agency": "dpa-AFX"}
    assert article.text.startswith("Der US-Sondergesandte Steve Witkoff hat")
    assert "/ngu/DP/he" in article.credits
    assert "/ngu" not in article.text
    assert article.text.endswith("US-Sicherheitsgarantien gesprochen.")
    assert len(article.text.split("\n\n")) == len(_lines(raw)) == 6


def test_the_crawler_date_token_becomes_the_day_hint_and_leaves_the_text(oe24: tuple[str, Article],
                                                                         dpa: tuple[str, Article]) -> None:
    for _, article in (oe24, dpa):
        assert article.hints["published_at"] == "2025-12-31"
        assert "date 2025" not in article.text
        assert not (article.title or "").startswith("date")
