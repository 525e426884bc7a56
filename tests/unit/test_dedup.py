"""Dedup stage: exact, URL and near verdicts, clusters, idempotency, retention and the size bound."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
from typing import Any

import numpy as np
import orjson
import pytest

from bench.devdata import rows, seed_paths
from workers.cli.inputs import file_records
from workers.records import Article, decode_raw
from workers.stages.dedup import DedupConfig, DedupIndex, fingerprint, postings, prepare, run
from workers.stages.dedup import sketch as sk
from workers.stages.dedup.shingles import shingle_hashes, words
from workers.stages.dedup.urlcanon import canonical_url

CFG = DedupConfig()


def new_index(cfg: DedupConfig = CFG, store: dict[str, Any] | None = None) -> DedupIndex:
    return DedupIndex({} if store is None else store, cfg)

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


def seeds(published: str = "2026-01-10T08:00:00Z") -> list[Article]:
    out = []
    for path in seed_paths():
        for record in file_records(path):
            raw = decode_raw(record, max_bytes=10**7)
            out.append(Article(id=raw.id, text=raw.text or "", published_at=published))
    return out


def real_bodies(count: int) -> list[str]:
    """Distinct real article bodies (Fundus annotations, one per publisher)."""
    seen: dict[str, str] = {}
    for row in rows("extraction_fundus_eval.jsonl.gz"):
        seen.setdefault(row["id"].rsplit("_", 1)[0], row["expected_body"])
    return list(seen.values())[:count]


@pytest.mark.parametrize("reverse", [False, True])
def test_seed_pair_second_is_near_of_first_in_either_order(reverse: bool) -> None:
    first, second = seeds()[::-1] if reverse else seeds()
    index = new_index()
    a, b = run(first, index), run(second, index)
    assert a.duplicate == {"status": "unique", "of": None, "similarity": None, "cluster_id": first.id}
    assert b.duplicate is not None
    assert b.duplicate["status"] == "near"
    assert b.duplicate["of"] == first.id
    assert b.duplicate["cluster_id"] == first.id
    assert 0.5 <= b.duplicate["similarity"] < 1.0


def test_unrelated_articles_stay_unique_and_in_their_own_cluster() -> None:
    """Different stories published the same day (inside the retention window), one seed among them."""
    cfg = dataclasses.replace(CFG, retention_days=1.0)
    others = [art(f"body-{i}", text) for i, text in enumerate(real_bodies(4))]
    stream = [art("x", STORY), art("y", OTHER), seeds()[0], *others]
    assert {a.published_at for a in stream} == {"2026-01-10T08:00:00Z"}  # all in one window: none expired
    index = new_index(cfg)
    verdicts = [run(a, index).duplicate for a in stream]
    assert [v["status"] for v in verdicts if v] == ["unique"] * len(stream)
    assert len({v["cluster_id"] for v in verdicts if v}) == len(stream)
    assert all(index.store.get(f"s:{i}") for i in range(len(stream)))  # all still indexed


def test_exact_copy_with_other_punctuation_and_case_is_exact() -> None:
    index = new_index()
    run(art("a", STORY), index)
    copy = run(art("b", STORY.upper().replace(".", " !")), index)
    assert copy.duplicate == {"status": "exact", "of": "a", "similarity": 1.0, "cluster_id": "a"}


def test_resent_page_with_tracking_parameters_is_exact_by_url() -> None:
    index = new_index()
    run(art("a", STORY, url="https://news.example/politics/tram-vote"), index)
    resent = run(art("b", OTHER, url="http://www.news.example/politics/tram-vote/?utm_source=x&fbclid=1&gclid=2"),
                 index)
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
    index = new_index()
    run(art("full", STORY), index)
    lead = ". ".join(STORY.split(". ")[:3]) + "."
    verdict = run(art("lead", lead), index).duplicate
    assert verdict is not None
    assert (verdict["status"], verdict["of"]) == ("near", "full")


def test_a_near_copy_of_a_near_copy_stays_in_the_original_cluster() -> None:
    index = new_index()
    sentences = STORY.split(". ")
    run(art("orig", STORY), index)
    run(art("copy1", ". ".join(sentences[:4]) + ". Reporting by our correspondent."), index)
    third = run(art("copy2", ". ".join(sentences[:3]) + ". Reporting by our correspondent."), index)
    assert third.duplicate is not None
    assert third.duplicate["cluster_id"] == "orig"


def test_redelivered_article_gets_the_same_verdict_never_a_duplicate_of_itself() -> None:
    index = new_index()
    first = run(art("a", STORY), index)
    second = run(art("b", STORY.replace("Tuesday", "Wednesday")), index)
    assert run(art("a", STORY), index).duplicate == first.duplicate
    assert run(art("b", STORY.replace("Tuesday", "Wednesday")), index).duplicate == second.duplicate
    assert second.duplicate is not None
    assert second.duplicate["of"] == "a"


def test_of_is_the_earliest_published_of_several_matching_copies() -> None:
    index = new_index()
    run(art("later", STORY + " Update: the vote passed.", published="2026-01-10T12:00:00Z"), index)
    run(art("earlier", STORY + " Live coverage continues.", published="2026-01-10T06:00:00Z"), index)
    verdict = run(art("third", STORY + " More to follow.", published="2026-01-10T13:00:00Z"), index).duplicate
    assert verdict is not None
    assert verdict["of"] == "earlier"


def test_copies_older_than_the_retention_window_no_longer_match() -> None:
    cfg = dataclasses.replace(CFG, retention_days=2.0)
    index = new_index(cfg)
    run(art("old", STORY, published="2026-01-01T00:00:00Z"), index)
    run(art("news", OTHER, published="2026-01-05T00:00:00Z"), index)
    verdict = run(art("again", STORY, published="2026-01-05T01:00:00Z"), index).duplicate
    assert verdict is not None
    assert verdict["status"] == "unique"
    assert "s:0" not in index.store  # evicted, not only ignored


def test_size_bound_evicts_the_oldest_and_nothing_points_at_it() -> None:
    cfg = dataclasses.replace(CFG, max_articles=3)
    index = new_index(cfg)
    texts = [f"Item number {i}. " + " ".join(f"w{i}x{j}" for j in range(60)) + "." for i in range(8)]
    for i, text in enumerate(texts):
        run(art(f"n{i}", text), index)
    live = sorted(k for k in index.store if k.startswith("s:"))
    assert live == ["s:5", "s:6", "s:7"]
    again = run(art("again-0", texts[0]), index).duplicate  # n0 is gone: its copy finds nothing
    assert again is not None
    assert again["status"] == "unique"
    again = run(art("again-6", texts[6]), index).duplicate
    assert again is not None
    assert (again["status"], again["of"]) == ("exact", "n6")


def test_empty_text_is_unique_and_matches_nothing() -> None:
    index = new_index()
    run(art("e1", ""), index)
    assert run(art("e2", STORY), index).duplicate["status"] == "unique"  # type: ignore[index]


def test_two_empty_texts_are_not_duplicates_of_each_other() -> None:
    index = new_index()
    run(art("e1", ""), index)
    assert run(art("e2", "  "), index).duplicate["status"] == "unique"  # type: ignore[index]


def test_short_texts_get_no_anchors_but_exact_copies_are_still_found() -> None:
    """Below `min_shared` shingles no near verdict is possible, so the text is not anchored."""
    index = new_index()
    flash = "Shares of Acme rose 4 percent in early trading."
    for i in range(200):
        run(art(f"flash-{i}", flash.replace("4", str(i))), index)
    assert len(index.postings) <= 200 * 3, "short texts were anchored"  # id, fingerprint, URL keys only
    again = run(art("flash-again", flash.replace("4", "7")), index).duplicate
    assert again is not None
    assert again["status"] == "exact"
    assert again["of"] == "flash-7"
    story = run(art("story", STORY), index).duplicate
    assert story is not None
    assert story["status"] == "unique"


def test_chrome_lines_do_not_make_two_stories_alike() -> None:
    """Only prose lines are shingled: a shared site template (menus, promos, footer) is not a story."""
    chrome = "\n".join(["Home", "Politik", "Wirtschaft", "Sport", "Login", "Newsletter abonnieren",
                        "Jetzt 30 Tage gratis testen und alle Artikel lesen", "Teilen auf Facebook",
                        "Mehr zum Thema Verkehr und Stadtentwicklung in unserer Region", "Impressum", "Datenschutz",
                        "© 2026 Stadtanzeiger Mediengruppe GmbH, alle Rechte vorbehalten"] * 2)
    short_a, short_b = STORY.split(". ", maxsplit=1)[0] + ".", OTHER.split(". ", maxsplit=1)[0] + "."
    index = new_index()
    run(art("a", f"{chrome}\n\n{short_a}\n\n{chrome}"), index)
    verdict = run(art("b", f"{chrome}\n\n{short_b}\n\n{chrome}"), index).duplicate
    assert verdict is not None
    assert verdict["status"] == "unique"
    hashes, _ = shingle_hashes(f"{chrome}\n\n{STORY}")
    assert len(hashes) == len(shingle_hashes(STORY)[0])


def test_the_overlap_estimate_is_exact_for_a_lead_and_close_for_a_long_text() -> None:
    long_text = "\n\n".join(real_bodies(1))
    stored = prepare(art("long", long_text), CFG).probe.sketch
    assert stored.level > 0
    assert len(stored.sample) <= CFG.sketch.sample_size
    lead = prepare(art("lead", " ".join(long_text.split()[:50])), CFG).probe
    assert lead.n <= CFG.sketch.lead_size
    shared = len(set(lead.full.tolist()) & set(prepare(art("long", long_text), CFG).probe.full.tolist()))
    assert sk.shared_estimate(lead, stored.lead.tolist(), stored.sample.tolist(), stored.level) == shared
    whole = prepare(art("again", long_text), CFG).probe
    estimate = sk.shared_estimate(whole, stored.lead.tolist(), stored.sample.tolist(), stored.level)
    assert abs(estimate - whole.n) <= 0.35 * whole.n  # the sampled part: relative error ~ 1/sqrt(hits)


def test_a_stored_record_stays_under_a_kilobyte() -> None:
    index = new_index()
    run(art("long", "\n\n".join(real_bodies(3)) * 3), index)
    record = index.store["s:0"]
    assert len("s:0") + len(record) <= 1000
    assert sk.unpack(record).id == "long"


def test_batches_and_restarts_give_the_same_verdicts_as_one_article_at_a_time() -> None:
    """The verdict depends on the stored records and the arrival order only (what recovery relies on)."""
    rng = random.Random(3)
    bodies = real_bodies(6)
    stream = []
    for i, body in enumerate(bodies):
        stream.append(art(f"o{i}", body))
        sentences = body.split(". ")
        stream.append(art(f"c{i}", ". ".join(s for s in sentences if rng.random() > 0.25)))
        stream.append(art(f"l{i}", ". ".join(sentences[:4]) + "."))
    rng.shuffle(stream)
    one = new_index()
    expected = [run(a, one).duplicate for a in stream]
    batched = new_index()
    got: list[Any] = []
    for start in range(0, len(stream), 5):
        got += [orjson.loads(v) for v in batched.judge([prepare(a, CFG) for a in stream[start:start + 5]])]
    assert got == expected
    store: dict[str, Any] = {}
    first = new_index(store=store)
    half = len(stream) // 2
    restarted = [run(a, first).duplicate for a in stream[:half]]
    second = new_index(store=store)  # a worker taking the index over: postings rebuilt from the records
    restarted += [run(a, second).duplicate for a in stream[half:]]
    assert restarted == expected
    assert sum(v is not None and v["status"] == "near" for v in expected) >= 8


def test_importing_the_dedup_stage_leaves_room_under_the_pool_memory_cap() -> None:
    """Pool processes fork from the worker and run under RLIMIT_AS: the stage's imports must stay small."""
    probe = (
        "def vm():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmSize'))\n"
        "before = vm()\n"
        "import workers.stages.dedup\n"
        "print(vm() - before)\n"
    )
    grown_kb = int(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                  env=dict(os.environ)).stdout)
    assert grown_kb < 256 * 1024, f"import grew the address space by {grown_kb // 1024} MB"


def test_the_fenced_search_of_a_large_posting_run_equals_a_plain_search() -> None:
    rng = np.random.default_rng(1)
    run = np.sort(rng.integers(0, 2**40, size=200_000).astype(np.uint64))
    run[1000:1300] = run[1000]  # a key with many postings
    probes = np.sort(np.concatenate([rng.integers(0, 2**40, size=3000).astype(np.uint64),
                                     run[rng.integers(0, len(run), 2000)], run[[0, -1]],
                                     np.array([0, 2**41], np.uint64)]))
    for right in (False, True):
        expected = np.searchsorted(run, probes, side="right" if right else "left")
        # the module's private search helpers are what this test pins, against numpy's plain search
        assert (postings._search(run, postings._fences(run), probes, right=right) == expected).all()  # noqa: SLF001
