"""Dedup stage: exact, URL and near verdicts, clusters, idempotency, retention and the size bound."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from typing import Any

import pytest

from bench.devdata import seed_paths
from workers.cli.inputs import file_records
from workers.records import Article, decode_raw
from workers.stages.dedup import DedupConfig, fingerprint, run
from workers.stages.dedup.minhash import overlap
from workers.stages.dedup.shingles import words
from workers.stages.dedup.urlcanon import canonical_url

CFG = DedupConfig()

STORY = (
    "The city council voted on Tuesday to expand the tram network to the northern districts. "
    "The plan adds twelve kilometres of track and nine new stops by the end of 2028. "
    "Opponents said the cost estimate of 400 million euros was too optimistic and asked for a review. "
    "The mayor replied that federal funds would cover more than half of the bill. "
    "Construction is expected to start next spring after a final hearing in January."
)
OTHER = (
    "A heatwave pushed temperatures above 38 degrees in the south of the country on Sunday. "
    "Hospitals reported a rise in admissions of elderly patients with dehydration. "
    "Farmers warned that the maize harvest could fall by a third if no rain comes within weeks. "
    "The weather service expects the heat to ease by the middle of next week."
)


def art(id_: str, text: str, *, url: str | None = None, published: str | None = "2026-01-10T08:00:00Z") -> Article:
    return Article(id=id_, text=text, url=url, published_at=published)


def seeds() -> list[Article]:
    out = []
    for path in seed_paths():
        for record in file_records(path):
            raw = decode_raw(record, max_bytes=10**7)
            out.append(Article(id=raw.id, text=raw.text or "", published_at="2025-12-31T12:00:00Z"))
    return out


@pytest.mark.parametrize("reverse", [False, True])
def test_seed_pair_second_is_near_of_first_in_either_order(reverse: bool) -> None:
    first, second = seeds()[::-1] if reverse else seeds()
    index: dict[str, Any] = {}
    a, b = run(first, index, CFG), run(second, index, CFG)
    assert a.duplicate == {"status": "unique", "of": None, "similarity": None, "cluster_id": first.id}
    assert b.duplicate is not None
    assert b.duplicate["status"] == "near"
    assert b.duplicate["of"] == first.id
    assert b.duplicate["cluster_id"] == first.id
    assert 0.5 <= b.duplicate["similarity"] < 1.0


def test_unrelated_articles_stay_unique_and_in_their_own_cluster() -> None:
    index: dict[str, Any] = {}
    verdicts = [run(a, index, CFG).duplicate for a in (art("x", STORY), art("y", OTHER), *seeds())]
    assert [v["status"] for v in verdicts if v] == ["unique"] * 4
    assert len({v["cluster_id"] for v in verdicts if v}) == 4


def test_exact_copy_with_other_punctuation_and_case_is_exact() -> None:
    index: dict[str, Any] = {}
    run(art("a", STORY), index, CFG)
    copy = run(art("b", STORY.upper().replace(".", " !")), index, CFG)
    assert copy.duplicate == {"status": "exact", "of": "a", "similarity": 1.0, "cluster_id": "a"}


def test_resent_page_with_tracking_parameters_is_exact_by_url() -> None:
    index: dict[str, Any] = {}
    run(art("a", STORY, url="https://news.example/politics/tram-vote"), index, CFG)
    resent = run(art("b", OTHER, url="http://www.news.example/politics/tram-vote/?utm_source=x&fbclid=1&gclid=2"),
                 index, CFG)
    assert resent.duplicate is not None
    assert resent.duplicate["status"] == "exact"
    assert resent.duplicate["of"] == "a"


def test_canonical_url_keeps_meaningful_query_and_drops_trackers() -> None:
    assert canonical_url("https://WWW.Site.example/a/?id=7&utm_medium=m&fbclid=z#top") == "site.example/a?id=7"
    assert canonical_url("https://site.example/a?id=8") != canonical_url("https://site.example/a?id=7")
    assert canonical_url(None) is None


def test_spelling_variants_and_diacritics_are_folded() -> None:
    assert words("Am 3. Jänner") == words("am 3. Januar")
    assert fingerprint("Straße, Jänner!") == fingerprint("strasse januar")


def test_truncation_to_the_lead_is_near() -> None:
    index: dict[str, Any] = {}
    run(art("full", STORY), index, CFG)
    lead = ". ".join(STORY.split(". ")[:3]) + "."
    verdict = run(art("lead", lead), index, CFG).duplicate
    assert verdict is not None
    assert (verdict["status"], verdict["of"]) == ("near", "full")


def test_a_near_copy_of_a_near_copy_stays_in_the_original_cluster() -> None:
    index: dict[str, Any] = {}
    sentences = STORY.split(". ")
    run(art("orig", STORY), index, CFG)
    run(art("copy1", ". ".join(sentences[:4]) + ". Reporting by our correspondent."), index, CFG)
    third = run(art("copy2", ". ".join(sentences[:3]) + ". Reporting by our correspondent."), index, CFG)
    assert third.duplicate is not None
    assert third.duplicate["cluster_id"] == "orig"


def test_redelivered_article_gets_the_same_verdict_never_a_duplicate_of_itself() -> None:
    index: dict[str, Any] = {}
    first = run(art("a", STORY), index, CFG)
    second = run(art("b", STORY.replace("Tuesday", "Wednesday")), index, CFG)
    assert run(art("a", STORY), index, CFG).duplicate == first.duplicate
    assert run(art("b", STORY.replace("Tuesday", "Wednesday")), index, CFG).duplicate == second.duplicate
    assert second.duplicate is not None
    assert second.duplicate["of"] == "a"


def test_of_is_the_earliest_published_of_several_matching_copies() -> None:
    index: dict[str, Any] = {}
    run(art("later", STORY + " Update: the vote passed.", published="2026-01-10T12:00:00Z"), index, CFG)
    run(art("earlier", STORY + " Live coverage continues.", published="2026-01-10T06:00:00Z"), index, CFG)
    verdict = run(art("third", STORY + " More to follow.", published="2026-01-10T13:00:00Z"), index, CFG).duplicate
    assert verdict is not None
    assert verdict["of"] == "earlier"


def test_copies_older_than_the_retention_window_no_longer_match() -> None:
    cfg = dataclasses.replace(CFG, retention_days=2.0)
    index: dict[str, Any] = {}
    run(art("old", STORY, published="2026-01-01T00:00:00Z"), index, cfg)
    run(art("news", OTHER, published="2026-01-05T00:00:00Z"), index, cfg)
    verdict = run(art("again", STORY, published="2026-01-05T01:00:00Z"), index, cfg).duplicate
    assert verdict is not None
    assert verdict["status"] == "unique"
    assert not any(k.startswith("a:old") for k in index)


def test_size_bound_evicts_the_oldest_and_every_key_pointing_at_it() -> None:
    cfg = dataclasses.replace(CFG, max_articles=3)
    index: dict[str, Any] = {}
    texts = [f"{STORY} Item number {i} " + " ".join(f"w{i}x{j}" for j in range(60)) for i in range(8)]
    for i, text in enumerate(texts):
        run(art(f"n{i}", " ".join(f"u{i}y{j}" for j in range(80)) if i % 2 else text), index, cfg)
    live = sorted(k for k in index if k.startswith("a:"))
    assert len(live) == 3
    pointers = [v for k, v in index.items() if k[:2] in ("f:", "u:")]
    members = [m for k, v in index.items() if k.startswith("b:") for m in v]
    assert {*pointers, *members} <= {k[2:] for k in live}


def test_empty_text_is_unique_and_matches_nothing() -> None:
    index: dict[str, Any] = {}
    run(art("e1", ""), index, CFG)
    assert run(art("e2", STORY), index, CFG).duplicate["status"] == "unique"  # type: ignore[index]


def test_two_empty_texts_are_not_duplicates_of_each_other() -> None:
    index: dict[str, Any] = {}
    run(art("e1", ""), index, CFG)
    assert run(art("e2", "  "), index, CFG).duplicate["status"] == "unique"  # type: ignore[index]


def test_short_texts_stay_out_of_the_buckets_but_exact_copies_are_still_found() -> None:
    """Below `min_shared` shingles no near verdict is possible, so the text is not banded."""
    index: dict[str, Any] = {}
    flash = "Shares of Acme rose 4 percent in early trading."
    for i in range(200):
        run(art(f"flash-{i}", flash.replace("4", str(i))), index, CFG)
    assert not [key for key in index if key.startswith("b:")], "short texts were put into LSH buckets"
    assert index["a:flash-0"]["b"] == []
    again = run(art("flash-again", flash.replace("4", "7")), index, CFG).duplicate
    assert again is not None and again["status"] == "exact" and again["of"] == "flash-7"
    story = run(art("story", STORY), index, CFG).duplicate
    assert story is not None and story["status"] == "unique"
    assert [key for key in index if key.startswith("b:")], "a full story is banded"


def test_the_scaled_overlap_estimate_never_exceeds_the_smaller_set() -> None:
    """Against a long text's sample the count is scaled up; an intersection is never larger than A."""
    short = frozenset(range(5))
    sample = [0, 1, 2, 3, *range(100, 352)]  # 256 hashes of a 10,000-shingle text, 4 of them shared
    assert overlap(short, sample, 10_000) == 5.0
    assert overlap(frozenset([0, 1, 2, 3, *range(1000, 2000)]), sample, 10_000) == pytest.approx(4 / 256 * 10_000)


def test_importing_the_dedup_stage_leaves_room_under_the_pool_memory_cap() -> None:
    """Pool processes fork from the worker and run under RLIMIT_AS; rensa's allocator must not reserve 1 GiB."""
    probe = (
        "def vm():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmSize'))\n"
        "before = vm()\n"
        "import workers.stages.dedup\n"
        "print(vm() - before)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    grown_kb = int(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                  env=env).stdout)
    assert grown_kb < 256 * 1024, f"import grew the address space by {grown_kb // 1024} MB"
