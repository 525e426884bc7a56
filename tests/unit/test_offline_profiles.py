"""The offline driver feeds each source's boilerplate profile to extraction, as the agent's table does."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.support.articles import article_text
from workers.runtime.offline import OfflineChain
from workers.runtime.pool import StagePool
from workers.runtime.steps import Steps
from workers.settings import Settings

RECURRING = "Dieser Beitrag wurde von unserer Redaktion sorgfältig erstellt und vor der Veröffentlichung geprüft."


@pytest.fixture(scope="module")
def steps() -> Iterator[tuple[Settings, Steps]]:
    settings = Settings(pool_workers=1)
    pool = StagePool(1, max_tasks=0, memory_mb=settings.pool_memory_mb)
    yield settings, Steps(settings, pool)
    pool.close()


def run_chain(settings: Settings, steps: Steps, records: list[bytes]) -> list[dict[str, Any]]:
    chain = OfflineChain(steps, ("extract",), window=1, max_input_bytes=settings.max_input_bytes)

    async def collect() -> list[dict[str, Any]]:
        return [orjson.loads(line) async for line in chain.run(records)]

    return asyncio.run(collect())


def test_a_line_recurring_across_a_sources_articles_is_learned_as_boilerplate(
        steps: tuple[Settings, Steps]) -> None:
    rng = random.Random(3)
    records = [orjson.dumps({"id": f"p{i}", "source": "lokal-news.example", "language": "de",
                             "text": f"{article_text(rng)}\n\n{RECURRING}"}) for i in range(6)]
    events = run_chain(*steps, records)
    assert RECURRING in events[0]["text"], "precondition: the line's own features keep it"
    assert RECURRING not in events[-1]["text"]
    assert all(e["text"].strip() for e in events)


def test_profiles_are_per_source(steps: tuple[Settings, Steps]) -> None:
    rng = random.Random(4)
    records = [orjson.dumps({"id": f"s{i}", "source": f"outlet-{i}.example", "language": "de",
                             "text": f"{article_text(rng)}\n\n{RECURRING}"}) for i in range(6)]
    assert all(RECURRING in e["text"] for e in run_chain(*steps, records))
