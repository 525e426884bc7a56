"""The offline driver: the same steps as the agents, over raw-event JSON lines, no broker.

Exactly one output line per input line, in input order. Pure stages run concurrently in the
pool over a window of lines; dedup runs after them in input order with an in-memory index, as
the dedup agent does per partition with its table.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator, MutableMapping
from itertools import islice
from typing import Any

import orjson

from workers.errors import StageError
from workers.records import Article, deadletter_event, decode_raw, enriched_event, record_id
from workers.runtime.steps import Outcome, Steps
from workers.stages.extract.profiles import Profile


def _batched(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


class OfflineChain:
    """Runs the selected stages over raw-event lines; keeps dedup state for the run."""

    def __init__(self, steps: Steps, stages: tuple[str, ...], *, window: int, max_input_bytes: int) -> None:
        self._steps = steps
        self._stages = stages
        self._window = window
        self._max_input_bytes = max_input_bytes
        self._index: MutableMapping[str, Any] = {}
        self._profiles: dict[str, Profile | None] = {}  # per-source boilerplate, as the agent's table

    async def run(self, lines: Iterable[bytes]) -> AsyncIterator[bytes]:
        for batch in _batched(lines, self._window):
            outcomes = await asyncio.gather(*(self._pure_stages(line) for line in batch))
            for line, outcome in zip(batch, outcomes, strict=True):
                self._learn(line, outcome)
                yield self._finish(outcome)

    def _learn(self, line: bytes, outcome: Outcome) -> None:
        """Teach the source's profile in input order, after a clean extraction (as the agent does)."""
        if "extract" in self._stages and outcome.deadletter is None:
            source = self._steps.profile_key(line)
            if source:
                self._profiles[source] = self._steps.learn(line, self._profiles.get(source))

    async def _pure_stages(self, line: bytes) -> Outcome:
        if "extract" in self._stages:
            source = self._steps.profile_key(line)
            outcome = await self._steps.extract(None, line, self._profiles.get(source) if source else None)
        else:
            outcome = self._adopt(line)
        for stage, step in (("normalize", self._steps.normalize), ("tag", self._steps.tag)):
            if stage in self._stages and outcome.value is not None:
                outcome = await step(outcome.key.encode(), outcome.value)
        return outcome

    def _finish(self, outcome: Outcome) -> bytes:
        if outcome.value is not None and "dedup" in self._stages:
            outcome = self._steps.dedup(outcome.key.encode(), outcome.value, self._index)
        if outcome.deadletter is not None:
            return orjson.dumps(outcome.deadletter)
        assert outcome.value is not None
        if "dedup" in self._stages:
            return outcome.value
        return orjson.dumps(enriched_event(Article.from_bytes(outcome.value)))

    def _adopt(self, line: bytes) -> Outcome:
        """Without `extract`, a raw record's `text` is taken as the clean body, unchanged."""
        try:
            raw = decode_raw(line, max_bytes=self._max_input_bytes)
        except StageError as exc:
            return self._dead(line, exc)
        if raw.text is None:
            return self._dead(line, StageError("html input needs the extract stage", reason="needs_extract"))
        hints = {k: v for k, v in (("published_at", raw.published_at), ("fetched_at", raw.fetched_at),
                                   ("language", raw.language)) if v}
        article = Article(id=raw.id, text=raw.text, url=raw.url, source=raw.source, meta=raw.meta, hints=hints)
        return Outcome(article.id, article.to_bytes())

    def _dead(self, line: bytes, error: StageError) -> Outcome:
        rid = record_id(None, line)
        return Outcome(rid, deadletter=deadletter_event(rid, "extract", error, line, self._steps.now()))
