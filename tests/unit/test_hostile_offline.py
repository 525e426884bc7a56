"""The hostile corpus through the offline driver: one specific outcome per item, nothing lost."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.hostile.corpus import Item, corpus
from tests.hostile.expectations import check_outcome
from workers.runtime.offline import OfflineChain
from workers.runtime.pool import StagePool
from workers.runtime.steps import Steps
from workers.settings import Settings

ITEMS = corpus()


@pytest.fixture(scope="module")
def chain():
    settings = Settings(pool_workers=1, stage_timeout_seconds=10)
    pool = StagePool(1, max_tasks=20, memory_mb=settings.pool_memory_mb)
    yield OfflineChain(Steps(settings, pool), settings.stage_names(), window=1,
                       max_input_bytes=settings.max_input_bytes)
    pool.close()


@pytest.mark.parametrize("item", ITEMS, ids=[item.name for item in ITEMS])
def test_each_hostile_item_has_its_specific_outcome(chain: OfflineChain, item: Item) -> None:
    async def outcomes() -> list[dict[str, object]]:
        return [orjson.loads(line) async for line in chain.run([item.value])]

    check_outcome(item, asyncio.run(outcomes()))
