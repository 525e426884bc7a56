"""The stage chain as async steps over record bytes, shared by the Faust agents and `enrich`.

One code path, two drivers: an agent feeds a step the key and value it consumed and routes the
`Outcome`; the offline driver does the same over lines of a file. Steps never touch Kafka.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from workers.errors import StageCrashed, StageError
from workers.records import JSON, Article, deadletter_event, enriched_event, record_id
from workers.runtime.pool import StagePool
from workers.settings import Settings
from workers.stages import dedup, extract, normalize, tag
from workers.stages.extract.profiles import Profile


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a step made of one input: a record for the next topic, or a dead-letter event."""

    key: str
    value: bytes | None = None
    deadletter: JSON | None = None


def _timed(stage: str, fn: Callable[..., Article], *args: Any) -> Article:
    """Runs in the pool process: the stage function plus its provenance timing."""
    started = time.perf_counter()
    return fn(*args).timed(stage, (time.perf_counter() - started) * 1000)


class Steps:
    """The four stage steps, configured once from `Settings`."""

    def __init__(self, settings: Settings, pool: StagePool, clock: Callable[[], datetime] | None = None) -> None:
        self._pool = pool
        self._timeout = settings.stage_timeout_seconds
        self._extract_cfg = settings.extract_config()
        self._normalize_cfg = settings.normalize_config()
        self._tag_cfg = settings.tag_config()
        self._dedup_cfg = settings.dedup_config()
        self._clock = clock or (lambda: datetime.now(UTC))

    async def extract(self, key: bytes | None, value: bytes, profile: Profile | None = None) -> Outcome:
        """`profile`: what this record's source has taught so far (plain text only; see `learn`)."""
        try:
            article = await self._pool.run(_timed, "extract", extract.run, value, self._extract_cfg, profile,
                                           timeout=self._timeout)
        except StageError as exc:
            return self._dead(record_id(key, value), "extract", exc, value)
        return Outcome(article.id, article.to_bytes())

    @staticmethod
    def profile_key(value: bytes) -> str | None:
        """The per-source boilerplate profile a raw record reads and teaches (None: it uses none)."""
        return extract.source_key(value)

    def learn(self, value: bytes, profile: Profile | None) -> Profile | None:
        """The source's profile after a record that extracted cleanly (cheap; runs in the event loop)."""
        return extract.learn(value, profile, self._extract_cfg)

    async def normalize(self, key: bytes | None, value: bytes) -> Outcome:
        return await self._offloaded("normalize", key, value, normalize.run, self._normalize_cfg, self._clock())

    async def tag(self, key: bytes | None, value: bytes) -> Outcome:
        return await self._offloaded("tag", key, value, tag.run, self._tag_cfg)

    def dedup(self, key: bytes | None, value: bytes, index: MutableMapping[str, Any]) -> Outcome:
        """Runs in the event loop: it reads and writes the index (a Faust table) in stream order."""
        try:
            article = Article.from_bytes(value)
            try:
                done = _timed("dedup", dedup.run, article, index, self._dedup_cfg)
            except (KeyError, TypeError, ValueError) as exc:
                raise StageCrashed(f"{type(exc).__name__}: {exc}") from exc
        except StageError as exc:
            return self._dead(record_id(key, value), "dedup", exc, value)
        return Outcome(done.id, orjson.dumps(enriched_event(done)))

    async def _offloaded(self, stage: str, key: bytes | None, value: bytes,
                         fn: Callable[..., Article], *args: Any) -> Outcome:
        try:
            article = Article.from_bytes(value)
            done = await self._pool.run(_timed, stage, fn, article, *args, timeout=self._timeout)
        except StageError as exc:
            return self._dead(record_id(key, value), stage, exc, value)
        return Outcome(done.id, done.to_bytes())

    def now(self) -> datetime:
        return self._clock()

    def _dead(self, article_id: str, stage: str, exc: StageError, value: bytes) -> Outcome:
        return Outcome(article_id, deadletter=deadletter_event(article_id, stage, exc, value, self._clock()))
