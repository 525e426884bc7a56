"""Entity summary: grouping by canonical, counts, and the salience formula."""

from __future__ import annotations

import pytest

from workers.stages.tag.canonical import Mention
from workers.stages.tag.salience import BODY_WEIGHT, LEAD_WEIGHT, TITLE_WEIGHT, lead_end, summarise

TEXT = "Lead " * 70 + "\n\n" + "Body " * 200


def test_lead_is_whole_paragraphs_up_to_the_limit() -> None:
    assert lead_end(TEXT) == TEXT.index("\n\n")
    assert lead_end("short") == 5


def test_weights_counts_and_shares() -> None:
    body = TEXT.index("Body")
    mentions = [Mention("Witkoff", "PER", 0, 7, "title"), Mention("Steve Witkoff", "PER", 0, 13),
                Mention("Florida", "LOC", body, body + 7), Mention("Witkoff", "PER", body + 10, body + 17)]
    summary = summarise(mentions, ["Steve Witkoff", "Steve Witkoff", "Florida", "Steve Witkoff"], TEXT)
    total = TITLE_WEIGHT + LEAD_WEIGHT + 2 * BODY_WEIGHT
    assert [e["canonical"] for e in summary] == ["Steve Witkoff", "Florida"]
    first = summary[0]
    assert first["count"] == 3
    assert first["salience"] == pytest.approx((TITLE_WEIGHT + LEAD_WEIGHT + BODY_WEIGHT) / total, abs=1e-4)
    assert [m["field"] for m in first["mentions"]] == ["title", "text", "text"]
    assert summary[1]["salience"] == pytest.approx(BODY_WEIGHT / total, abs=1e-4)
    assert sum(e["salience"] for e in summary) == pytest.approx(1.0, abs=1e-3)


def test_majority_label_wins() -> None:
    ms = [Mention("Washington", "LOC", 0, 10), Mention("Washington", "LOC", 20, 30),
          Mention("Washington", "ORG", 40, 50)]
    assert summarise(ms, ["Washington"] * 3, "x" * 60)[0]["label"] == "LOC"


def test_no_mentions_no_summary() -> None:
    assert summarise([], [], TEXT) == []
