"""Seeds: every person, place and organisation listed in ../shared/seeds/README.md, with its label, in each
article that names it.

The seeds go through the real stage chain (extract -> normalize -> tag, in process), with each NER tier,
so the check is on what the event carries: `entity_summary` holds the mentions in title, text and wire dateline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bench.devdata import seed_paths
from workers.cli.inputs import file_records
from workers.models import TIERS
from workers.records import Article
from workers.stages import extract, normalize
from workers.stages.extract import ExtractConfig
from workers.stages.normalize import NormalizeConfig
from workers.stages.tag import TagConfig, run
from workers.stages.tag.aliases import lookup

# The names as the seeds README lists them (its spelling, not the inflected forms in the texts).
PERSONS = ["Steve Witkoff", "Marco Rubio", "Jared Kushner", "Donald Trump", "Wolodymyr Selenskyj",
           "Rustem Umjerow", "Wladimir Putin", "Friedrich Merz", "Günter Sautter", "Jonathan Powell",
           "Emmanuel Bonne"]
PLACES = ["USA", "Ukraine", "Russland", "Großbritannien", "Frankreich", "Deutschland", "Florida",
          "Washington"]
ORGS = ["NATO", "Nato", "Europäische Kommission", "Europäischer Rat", "CDU", "dpa-AFX"]
LABEL = {**dict.fromkeys(PERSONS, "PER"), **dict.fromkeys(PLACES, "LOC"), **dict.fromkeys(ORGS, "ORG")}

# Per article, every listed name that article's text names (in some form): the README's list is for
# the pair, with Merz, Sautter, Powell and Bonne "in the wire text also". oe24 has no Merz, CDU, Nato
# spelling or dateline; the wire text has no Putin, Großbritannien or Deutschland.
OE24 = "000_26e6bf0d87fe9133.txt"
WIRE = "001_74fe675f7b98b7f2.txt"
EXPECTED = {
    OE24: ["Steve Witkoff", "Marco Rubio", "Jared Kushner", "Donald Trump", "Wolodymyr Selenskyj",
           "Rustem Umjerow", "Wladimir Putin",
           "USA", "Ukraine", "Russland", "Großbritannien", "Frankreich", "Deutschland", "Florida",
           "NATO", "Europäische Kommission", "Europäischer Rat"],
    WIRE: ["Steve Witkoff", "Marco Rubio", "Jared Kushner", "Donald Trump", "Wolodymyr Selenskyj",
           "Rustem Umjerow", "Friedrich Merz", "Günter Sautter", "Jonathan Powell", "Emmanuel Bonne",
           "USA", "Ukraine", "Russland", "Frankreich", "Florida", "Washington",
           "Nato", "Europäische Kommission", "Europäischer Rat", "CDU", "dpa-AFX"],
}


@pytest.fixture(scope="module", params=TIERS)
def tagged(request: pytest.FixtureRequest) -> dict[str, Article]:
    """The seeds tagged by each tier in turn: both must pass every check."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    out = {}
    for path in seed_paths():
        (value,) = file_records(path)
        article = normalize.run(extract.run(value, ExtractConfig(), None), NormalizeConfig(), now)
        assert article.language is not None
        assert article.language["code"] == "de"
        out[path.name] = run(article, TagConfig(model=request.param))
    assert sorted(out) == [OE24, WIRE]
    return out


def _matches(name: str, entity: dict[str, Any]) -> bool:
    """Same surface, or the same canonical (inflected forms and variants meet in the alias table)."""
    surfaces = {m["text"] for m in entity["mentions"]}
    return name in surfaces or name == entity["canonical"] or lookup(name) == entity["canonical"]


def test_the_per_article_lists_cover_the_readme_list() -> None:
    assert sorted({n for names in EXPECTED.values() for n in names}) == sorted(LABEL)


@pytest.mark.parametrize(("seed", "name"), [(seed, name) for seed, names in EXPECTED.items() for name in names])
def test_listed_entity_is_tagged_in_its_article_with_its_label(tagged: dict[str, Article], seed: str,
                                                               name: str) -> None:
    hits = [e for e in tagged[seed].entity_summary if _matches(name, e)]
    assert hits, f"{name} not tagged in {seed}"
    assert {e["label"] for e in hits} == {LABEL[name]}


@pytest.mark.parametrize("seed", [OE24, WIRE])
def test_witkoff_mentions_share_the_full_name(tagged: dict[str, Article], seed: str) -> None:
    """Both texts name him in full once, then by surname: every mention gets the full name."""
    mentions = [(e["text"], e["canonical"]) for e in tagged[seed].entities if "Witkoff" in e["text"]]
    assert ("Steve Witkoff", "Steve Witkoff") in mentions
    assert ("Witkoff", "Steve Witkoff") in mentions
    assert {canonical for _, canonical in mentions} == {"Steve Witkoff"}
