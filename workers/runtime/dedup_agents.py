"""Dedup wiring: one index, one writer, whatever the number of partitions and workers.

Every tagged article is re-keyed to one constant key, so all of them reach the same partition of
the repartition topic and the same partition of the `dedup-index` table (RocksDB + changelog).
The worker that owns that partition is the only writer of the index: a copy is compared with every
earlier copy whichever input partition or worker either came through, with no cross-partition
race. On a crash or rebalance the partition moves and Faust rebuilds the table from its
changelog; re-delivered records get the verdict stored under their id. The price is that the
verdict step runs on one core at a time (see docs/dedup.md for the measured ceiling); the CPU
heavy stages before it still scale with the partitions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import faust

from workers.runtime.failfast import exit_on_failure
from workers.runtime.steps import Outcome, Steps
from workers.settings import Settings

INDEX_KEY = b"dedup-index"


def _index_key(value: bytes) -> bytes:
    return INDEX_KEY


def register_dedup_agent(app: faust.App, settings: Settings, *, steps: Callable[[], Steps],
                         source: faust.TopicT, sink: faust.TopicT,
                         route: Callable[[Outcome, faust.TopicT], Awaitable[None]]) -> None:
    """The dedup agent: re-key to the index partition, judge against the table, route the outcome."""
    index = app.Table("dedup-index", default=None, partitions=settings.topic_partitions,
                      schema=faust.Schema(key_serializer="json", value_serializer="json"))

    async def dedup(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        async for event in stream.group_by(_index_key, name="dedup-index").events():
            with exit_on_failure("dedup"):
                await route(steps().dedup(None, event.value, index), sink)
            yield None

    app.agent(source, name="dedup")(dedup)
