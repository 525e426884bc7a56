"""Every page of the shared dev data, as HTML and as its page text, through the offline chain: no stage crashes.

The chain is `news-ingest enrich`'s (`workers.runtime.offline.OfflineChain` over `Steps` and the process
pool, two processes). All 1,585 pages x 2 records run through extract, normalize and dedup; a fixed
sample of 120 of those records also runs through the whole chain with the tag stage, the slowest one
(all of them would take about 3.5 more minutes on the 2-core machine). Pages with no article text
(`no_content`) are listed with the reason below; any other dead letter fails the test.

    pytest -m corpus        # about 2-3 minutes on 2 cores; `-m "not corpus"` leaves it out
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from bench.devdata import rows
from bench.extraction import visible_text
from workers.runtime.offline import OfflineChain
from workers.runtime.pool import StagePool
from workers.runtime.steps import Steps
from workers.schemas import validator
from workers.settings import Settings

pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]

SETS = {"snippets": ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz"),
        "fundus": ("extraction_fundus_eval.jsonl.gz",), "dates": ("dates_dev.jsonl.gz",)}
PAGES = 990 + 80 + 515
FULL_CHAIN_SAMPLE = 120

# Records that are `no_content`, and why. Pages with nothing to extract are right; the CJK page texts are a
# known limit of the plain-text cleaner (the HTML of the same pages is extracted; see docs/extraction.md).
_CJK = "CJK page text (zh/ja): the plain-text cleaner finds prose by words and sentence ends, unspaced lines have few"
NO_CONTENT: dict[str, str] = {
    "dates/d9caf465e43cb966/html": "feeds.bizjournals.com: a 204-byte feed redirect stub, no text at all",
    "dates/d9caf465e43cb966/text": "feeds.bizjournals.com: the same stub's (empty) page text",
    "dates/fd065562604a62e9/html": "blogspot.com: a Blogger post written by JavaScript (trafilatura finds nothing)",
    "dates/fd065562604a62e9/text": "blogspot.com: the same page's text, menus only",
    "dates/d0190ff70e7b9a52/text": "wevolver.com: a 1 KB app shell, the article is loaded by JavaScript",
    "dates/3443be3f29e37320/text": "500px.com: a photo page, menus and a caption, no article",
    "dates/97c3ce2d7d5b8537/text": "96fm.ie: a radio station's home page, menus and teasers, no article",
    "snippets/5719bd67d1070211/html": "scmp.com: the story is in a JSON script; trafilatura keeps 151 chars of chrome",
    "snippets/28cfd7d090f6c2ef/text": "parcoabruzzo.it: lxml puts the body in an unclosed <noscript>, not page text",
    "dates/373ba6c0f95b964d/text": _CJK,
    "dates/4c8d92d2682cc883/text": _CJK,
    "dates/64ffd34f0f7b7d4e/text": _CJK,
    "dates/77a2e971b6fdaedb/text": _CJK,
    "dates/c833b4bdb2c607e8/text": _CJK,
    "dates/d03453a03e97e428/text": _CJK,
    "dates/d9e5b4dafff24bfc/text": _CJK,
    "dates/db078b285c654643/text": _CJK,
    "dates/e04f3644ae32b6cd/text": _CJK,
    "dates/e0d1345e73751348/text": _CJK,
    "dates/e3ace56ad8fd3032/text": _CJK,
    "snippets/27f92a389534fbda/text": _CJK,
    "snippets/9c8e58cc8438d83e/text": _CJK,
    "snippets/e3ace56ad8fd3032/text": _CJK,
}


_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


def page_text(html: str) -> str:
    """The page's visible text, one block per line, chrome included (`bench.extraction.visible_text`;
    an XHTML page's `<?xml ... encoding=...?>` is dropped first: lxml refuses a str that declares one)."""
    return visible_text(_XML_DECLARATION.sub("", html, count=1))


def corpus_records() -> Iterator[bytes]:
    """Each page as the crawler would send it twice: the HTML with its URL as given (some are not URLs,
    e.g. `hard::...`), and the page's visible text, chrome included, as a plain-text record."""
    for short, names in SETS.items():
        for name in names:
            for row in rows(name):
                yield orjson.dumps({"id": f"{short}/{row['id']}/html", "url": row["url"], "html": row["html"]})
                yield orjson.dumps({"id": f"{short}/{row['id']}/text", "url": row["url"],
                                    "text": page_text(row["html"])})


def run_chain(records: list[bytes], stages: tuple[str, ...]) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None).model_copy(update={"pool_workers": 2, "stages": ",".join(stages)})

    async def chain() -> list[dict[str, Any]]:
        pool = StagePool(settings.pool_workers, max_tasks=settings.pool_max_tasks, memory_mb=settings.pool_memory_mb)
        offline = OfflineChain(Steps(settings, pool), stages, window=settings.pool_workers * 8,
                               max_input_bytes=settings.max_input_bytes)
        try:
            return [orjson.loads(line) async for line in offline.run(records)]
        finally:
            pool.close()

    return asyncio.run(chain())


def dead_letters(events: list[dict[str, Any]]) -> dict[str, str]:
    return {e["id"]: f"{e['stage']}: {e['error']['type']}: {e['error']['message'][:200]}"
            for e in events if "error" in e}


@pytest.fixture(scope="module")
def records() -> list[bytes]:
    found = list(corpus_records())
    assert len(found) == 2 * PAGES, "the shared dev data changed: update PAGES and the lists here"
    return found


def test_every_page_and_its_text_through_extract_normalize_dedup(records: list[bytes]) -> None:
    events = run_chain(records, ("extract", "normalize", "dedup"))

    assert len(events) == len(records)
    dead = dead_letters(events)
    crashed = {rid: why for rid, why in dead.items() if ": stage_crashed:" in why}
    assert not crashed, f"{len(crashed)} stage crash(es):\n" + "\n".join(f"{k} {v}" for k, v in crashed.items())
    no_content = {rid for rid, why in dead.items() if why.startswith("extract: no_content:")}
    assert no_content == set(NO_CONTENT), (
        f"new no_content: {sorted(no_content - set(NO_CONTENT))}; no longer: {sorted(set(NO_CONTENT) - no_content)}")
    others = {rid: why for rid, why in dead.items() if rid not in no_content}
    assert not others, "other dead letters:\n" + "\n".join(f"{k} {v}" for k, v in others.items())
    statuses = Counter(e["duplicate"]["status"] for e in events if "error" not in e)
    assert statuses["unique"] > PAGES // 2  # each page's text record is mostly a copy of its HTML record


def test_a_sample_through_the_whole_chain_with_tag(records: list[bytes]) -> None:
    sample = records[::len(records) // FULL_CHAIN_SAMPLE][:FULL_CHAIN_SAMPLE]
    events = run_chain(sample, ("extract", "normalize", "tag", "dedup"))

    assert len(events) == len(sample)
    dead = dead_letters(events)
    assert not {rid: why for rid, why in dead.items() if ": stage_crashed:" in why}
    assert set(dead) <= set(NO_CONTENT), dead
    schema = validator("enriched")
    for event in events:
        if "error" not in event:
            assert not list(schema.iter_errors(event)), event["id"]
            assert event["entities_status"] is not None
