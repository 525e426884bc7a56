"""Seeds: every person, place and organisation listed in ../shared/seeds/README.md, with its label.

The seeds go through the real stage chain (extract -> normalize -> tag, in process), so the check is on
what the event carries: `entity_summary` holds the mentions in title, text and wire dateline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bench.devdata import seed_paths
from workers.cli.inputs import file_records
from workers.records import Article
from workers.stages import extract, normalize
from workers.stages.aliases import lookup
from workers.stages.entities import EntitiesConfig, run
from workers.stages.extract import ExtractConfig
from workers.stages.normalize import NormalizeConfig

# The names as the seeds README lists them (its spelling, not the inflected forms in the texts).
PERSONS = ["Steve Witkoff", "Marco Rubio", "Jared Kushner", "Donald Trump", "Wolodymyr Selenskyj",
           "Rustem Umjerow", "Wladimir Putin", "Friedrich Merz", "Günter Sautter", "Jonathan Powell",
           "Emmanuel Bonne"]
PLACES = ["USA", "Ukraine", "Russland", "Großbritannien", "Frankreich", "Deutschland", "Florida",
          "Washington"]
ORGS = ["NATO", "Nato", "Europäische Kommission", "Europäischer Rat", "CDU", "dpa-AFX"]


@pytest.fixture(scope="module")
def tagged() -> list[Article]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for path in seed_paths():
        (value,) = file_records(path)
        article = normalize.run(extract.run(value, ExtractConfig(), None), NormalizeConfig(), now)
        assert article.language is not None
        assert article.language["code"] == "de"
        out.append(run(article, EntitiesConfig()))
    assert len(out) == 2
    return out


def _matches(name: str, entity: dict[str, Any]) -> bool:
    """Same surface, or the same canonical (inflected forms and variants meet in the alias table)."""
    surfaces = {m["text"] for m in entity["mentions"]}
    return name in surfaces or name == entity["canonical"] or lookup(name) == entity["canonical"]


@pytest.mark.parametrize(("name", "label"), [(n, "PER") for n in PERSONS] + [(n, "LOC") for n in PLACES]
                         + [(n, "ORG") for n in ORGS])
def test_listed_entity_is_tagged_with_its_label(tagged: list[Article], name: str, label: str) -> None:
    hits = [e for a in tagged for e in a.entity_summary if _matches(name, e)]
    assert hits, f"{name} not tagged"
    assert {e["label"] for e in hits} == {label}


def test_witkoff_mentions_share_the_full_name(tagged: list[Article]) -> None:
    for article in tagged:
        names = {e["text"]: e["canonical"] for e in article.entities if "Witkoff" in e["text"]}
        if "Steve Witkoff" in names:
            assert names.get("Witkoff") == "Steve Witkoff"
            assert set(names.values()) == {"Steve Witkoff"}
    assert any("Steve Witkoff" in [e["text"] for e in a.entities] for a in tagged)
