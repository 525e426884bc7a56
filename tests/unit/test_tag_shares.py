"""A long text's sentences tagged in shares (one per pool process) give the entities of one call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.devdata import seed_paths
from workers.models import TIERS
from workers.records import Article
from workers.runtime.pool import StagePool
from workers.runtime.steps import TAG_SPLIT_BYTES, Steps
from workers.settings import Settings
from workers.stages.tag import TagConfig, run, text_spans
from workers.stages.tag.words import sentences, share_sentences


def _long_article() -> Article:
    """Both seeds' texts four times over (about 40 kB): long enough to be split, with real entities."""
    texts = [Path(p).read_text(encoding="utf-8") for p in seed_paths()]
    return Article(id="long-1", text="\n\n".join(texts * 4), title="Witkoff trifft Selenskyj in Florida",
                   language={"code": "de", "confidence": 1.0})


@pytest.mark.parametrize("parts", [1, 2, 3, 5])
def test_the_shares_hold_every_sentence_once_in_order(parts: int) -> None:
    spans = sentences(_long_article().text)
    shares = [share_sentences(spans, part, parts) for part in range(parts)]
    assert [span for share in shares for span in share] == spans
    sizes = [sum(end - begin for begin, end in share) for share in shares]
    assert all(sizes), sizes
    assert max(sizes) - min(sizes) <= 2 * max(end - begin for begin, end in spans)  # about equal characters


def test_a_share_past_the_sentences_is_empty() -> None:
    assert share_sentences([(0, 5)], 1, 2) == []
    assert share_sentences([], 0, 3) == []


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("parts", [2, 3])
def test_spans_found_in_shares_give_the_entities_of_one_call(tier: str, parts: int) -> None:
    article, cfg = _long_article(), TagConfig(model=tier)
    whole = run(article, cfg)
    shared = run(article, cfg, [span for part in range(parts) for span in text_spans(article, cfg, part, parts)])
    assert len(whole.entities) > 100
    assert shared.entities == whole.entities
    assert shared.entity_summary == whole.entity_summary
    assert shared.entities_status == whole.entities_status == "ok"


def test_an_unsupported_language_has_no_spans_in_any_share() -> None:
    article = Article(id="fr-1", text="Emmanuel Macron est à Paris. " * 50, language={"code": "fr", "confidence": 1.0})
    assert text_spans(article, TagConfig(model="fast"), 0, 2) == []
    assert run(article, TagConfig(model="fast"), []).entities_status == "unsupported_language:fr"


class _CountingPool(StagePool):
    """A real pool that also records which functions ran in it."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers, max_tasks=50)
        self.calls: list[str] = []

    async def run(self, fn: Any, *args: Any, timeout: float) -> Any:
        self.calls.append(fn.__name__)
        return await super().run(fn, *args, timeout=timeout)


@pytest.fixture(scope="module")
def steps_and_pool() -> Iterator[tuple[Steps, _CountingPool]]:
    settings = Settings(_env_file=None, pool_workers=2, ner_model="fast", stage_timeout_seconds=120)
    pool = _CountingPool(2)
    try:
        yield Steps(settings, pool), pool
    finally:
        pool.close()


def _without_timings(encoded: bytes) -> dict[str, Any]:
    return {k: v for k, v in orjson.loads(encoded).items() if k != "timings"}


def test_the_tag_step_splits_a_long_record_over_the_pool_and_emits_what_one_call_would(
        steps_and_pool: tuple[Steps, _CountingPool]) -> None:
    steps, pool = steps_and_pool
    value = _long_article().to_bytes()
    assert len(value) >= TAG_SPLIT_BYTES
    pool.calls.clear()
    outcome = asyncio.run(steps.tag(b"long-1", value))
    assert outcome.deadletter is None
    assert outcome.value is not None
    assert pool.calls == ["_text_spans_timed", "_text_spans_timed", "_tag_with_spans"]
    expected = run(_long_article(), TagConfig(model="fast"))
    assert _without_timings(outcome.value) == _without_timings(expected.to_bytes())
    assert orjson.loads(outcome.value)["timings"]["tag"] > 0


def test_a_short_record_is_tagged_in_one_call(steps_and_pool: tuple[Steps, _CountingPool]) -> None:
    steps, pool = steps_and_pool
    value = Article(id="short-1", text="Friedrich Merz traf Emmanuel Macron in Paris.",
                    language={"code": "de", "confidence": 1.0}).to_bytes()
    pool.calls.clear()
    outcome = asyncio.run(steps.tag(b"short-1", value))
    assert pool.calls == ["_timed_record"]
    assert outcome.value is not None
    assert orjson.loads(outcome.value)["entities"]


def test_a_long_record_that_is_not_an_article_is_dead_lettered_by_the_tag_stage(
        steps_and_pool: tuple[Steps, _CountingPool]) -> None:
    steps, _ = steps_and_pool
    value = orjson.dumps(["not", "an", "article", "x" * TAG_SPLIT_BYTES])
    outcome = asyncio.run(steps.tag(b"bad-1", value))
    assert outcome.value is None
    assert outcome.deadletter is not None
    assert outcome.deadletter["stage"] == "tag"
    assert outcome.deadletter["error"]["type"] == "invalid_record"


def test_a_long_record_stays_in_one_call_while_the_pool_is_busy(steps_and_pool: tuple[Steps, _CountingPool]) -> None:
    """Shares queued behind other documents would make those wait: only idle processes take shares."""
    steps, pool = steps_and_pool

    async def tag_beside_another_document() -> None:
        other = asyncio.create_task(pool.run(time.sleep, 2.0, timeout=30))
        await asyncio.sleep(0)  # the other document is now in the pool
        assert pool.idle == 1
        outcome = await steps.tag(b"long-1", _long_article().to_bytes())
        assert outcome.value is not None
        await other

    pool.calls.clear()
    asyncio.run(tag_beside_another_document())
    assert pool.calls == ["sleep", "_timed_record"]
    assert pool.idle == 2
