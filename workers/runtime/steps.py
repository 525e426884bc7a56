"""The stage chain as async steps over record bytes, shared by the Faust agents and `enrich`.

One code path, two drivers: an agent feeds a step the key and value it consumed and routes the
`Outcome`; the offline driver does the same over lines of a file. Steps never touch Kafka.

The event loop only moves bytes: a record is decoded, worked on and encoded in the pool process
(`_timed_record`), so a hop costs the loop no JSON parse, no pickling of an `Article` and no
serialisation, whatever the record's size.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from workers.errors import StageCrashed, StageError
from workers.records import JSON, Article, deadletter_event, record_id
from workers.runtime.pool import StagePool
from workers.settings import Settings
from workers.stages import dedup, extract, normalize, tag
from workers.stages.extract.profiles import Profile
from workers.stages.tag.words import CharSpan

# A tagged record at least this long has its text's sentences tagged in the idle pool processes at
# once. The model's time follows the text (fast tier ~20 ms, accurate ~50 ms per 1,000 characters on
# an AVX2 core), and texts of 20-50 kB held the tail of bench.pipeline: 0.5-1 s of tagging each on
# the fast tier. A seed-sized record (5-10 kB) stays in one process: it would only pay the extra
# decode and pool round trips.
TAG_SPLIT_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a step made of one input: a record for the next topic, or a dead-letter event."""

    key: str
    value: bytes | None = None
    deadletter: JSON | None = None
    duplicate: str | None = None  # dedup's verdict status (unique, exact, near), for the metrics without a parse


def _timed(stage: str, fn: Callable[..., Article], *args: Any, before_ms: float = 0.0) -> tuple[str, bytes]:
    """Runs in the pool process: the stage function plus its provenance timing, encoded there
    (`before_ms`: the stage's time spent in earlier pool calls for this record)."""
    started = time.perf_counter()
    article = fn(*args).timed(stage, before_ms + (time.perf_counter() - started) * 1000)
    return article.id, article.to_bytes()


def _timed_record(stage: str, fn: Callable[..., Article], value: bytes, *args: Any) -> tuple[str, bytes]:
    """Runs in the pool process: decode the intermediate record (a bad one raises `DecodeFailed`), then `_timed`."""
    return _timed(stage, fn, Article.from_bytes(value), *args)


def _text_spans_timed(value: bytes, cfg: tag.TagConfig, part: int, parts: int) -> tuple[list[CharSpan], float]:
    """Runs in the pool process: the model's spans in one share of a record's text, and the ms it took."""
    started = time.perf_counter()
    spans = tag.text_spans(Article.from_bytes(value), cfg, part, parts)
    return spans, (time.perf_counter() - started) * 1000


def _tag_with_spans(value: bytes, cfg: tag.TagConfig, spans: list[CharSpan], spans_ms: float) -> tuple[str, bytes]:
    """Runs in the pool process: the tag stage given the text's spans; its timing is the slowest share's
    plus this call's (the stage's wall time, as one call would report it)."""
    return _timed("tag", tag.run, Article.from_bytes(value), cfg, spans, before_ms=spans_ms)


def verdict_status(verdict: bytes) -> str:
    """The status of a dedup verdict (a small JSON object): what the duplicates metric counts."""
    return str(orjson.loads(verdict)["status"])


class Steps:
    """The four stage steps, configured once from `Settings`."""

    def __init__(self, settings: Settings, pool: StagePool, clock: Callable[[], datetime] | None = None) -> None:
        self._pool = pool
        self._timeout = settings.stage_timeout_seconds
        self._extract_cfg = settings.extract_config()
        self._normalize_cfg = settings.normalize_config()
        self._tag_cfg = settings.tag_config()
        if "tag" in settings.stage_names():
            tag.check_model(self._tag_cfg)  # a missing model stops the worker before it consumes anything
        self._dedup_cfg = settings.dedup_config()
        self._dedup_indexes: dict[int, dedup.DedupIndex] = {}
        self._clock = clock or (lambda: datetime.now(UTC))

    async def extract(self, key: bytes | None, value: bytes, profile: Profile | None = None) -> Outcome:
        """`profile`: what this record's source has taught so far (plain text only; see `learn`)."""
        try:
            article_id, encoded = await self._pool.run(_timed, "extract", extract.run, value, self._extract_cfg,
                                                       profile, timeout=self._timeout)
        except StageError as exc:
            return self._dead(record_id(key, value), "extract", exc, value)
        return Outcome(article_id, encoded)

    @staticmethod
    def profile_key(value: bytes) -> str | None:
        """The per-source boilerplate profile a raw record reads and teaches (None: it uses none).

        Only plain-text records have one, and only a record with a `"text"` key can be one: a JSON
        string never holds an unescaped quote, so without those bytes the record (an HTML page, up
        to megabytes) is not parsed in the event loop at all. A key spelt with escapes
        (`"\\u0074ext"`) then reads and teaches no profile: harmless, the profile is a heuristic.
        """
        if b'"text"' not in value:
            return None
        return extract.source_key(value)

    def learn(self, value: bytes, profile: Profile | None) -> Profile | None:
        """The source's profile after a record that extracted cleanly (cheap; runs in the event loop)."""
        return extract.learn(value, profile, self._extract_cfg)

    async def normalize(self, key: bytes | None, value: bytes) -> Outcome:
        return await self._offloaded("normalize", key, value, normalize.run, self._normalize_cfg, self._clock())

    async def tag(self, key: bytes | None, value: bytes) -> Outcome:
        """A long record's sentences are tagged in the idle pool processes at once, then put together in
        one (`TAG_SPLIT_BYTES`): the same entities, and a long text's latency divided by the processes it
        got. Only idle ones: shares queued behind other documents would make those wait for this one
        (with every process busy, bench.pipeline's p95 on the accurate tier rose from 2.8-3.6 s to 4.1 s).
        The length is the record's, so the loop parses nothing."""
        shares = self._pool.idle if len(value) >= TAG_SPLIT_BYTES else 1
        if shares <= 1:
            return await self._offloaded("tag", key, value, tag.run, self._tag_cfg)
        try:
            found = await asyncio.gather(*(self._pool.run(_text_spans_timed, value, self._tag_cfg, share, shares,
                                                          timeout=self._timeout) for share in range(shares)))
            spans = [span for share_spans, _ in found for span in share_spans]
            article_id, encoded = await self._pool.run(_tag_with_spans, value, self._tag_cfg, spans,
                                                       max(ms for _, ms in found), timeout=self._timeout)
        except StageError as exc:
            return self._dead(record_id(key, value), "tag", exc, value)
        return Outcome(article_id, encoded)

    async def dedup_prepare(self, events: list[tuple[bytes | None, bytes]]) -> list[Outcome]:
        """The pool half of dedup for a batch of tagged records: shingles, sketch, keys, the event.

        One pool call per batch (the per-call overhead is what a record would otherwise pay); when
        the batch fails as a whole (a record past the time limit), each record is tried alone so
        that only the bad one is dead-lettered.
        """
        values = [value for _, value in events]
        try:
            results = await self._pool.run(dedup.prepare_bytes, values, self._dedup_cfg, timeout=self._timeout)
        except StageError as exc:
            if len(events) == 1:  # this record alone is past the time limit, or killed its process
                key, value = events[0]
                return [self._dead(record_id(key, value), "dedup", exc, value)]
            return [o for event in events for o in await self.dedup_prepare([event])]
        out = []
        for (key, value), result in zip(events, results, strict=True):
            if isinstance(result, bytes):
                out.append(Outcome(record_id(key, value), result))
            else:
                out.append(self._dead(record_id(key, value), "dedup", StageCrashed(result), value))
        return out

    def dedup_judge(self, prepared: list[bytes], index: dedup.DedupIndex) -> list[Outcome]:
        """The writer half, in the event loop: verdicts against the index in arrival order (one batch)."""
        batch = [dedup.Prepared.from_bytes(p) for p in prepared]
        verdicts = index.judge(batch)
        return [Outcome(p.id, p.event(v), duplicate=verdict_status(v)) for p, v in zip(batch, verdicts, strict=True)]

    def dedup_index(self, store: MutableMapping[str, Any]) -> dedup.DedupIndex:
        """The duplicate index over `store` (one per store: its postings live in memory)."""
        held = self._dedup_indexes.get(id(store))
        if held is None or held.store is not store:
            held = self._dedup_indexes[id(store)] = dedup.DedupIndex(store, self._dedup_cfg)
        return held

    def dedup(self, key: bytes | None, value: bytes, index: MutableMapping[str, Any]) -> Outcome:
        """Both halves in the event loop, one record (`enrich`): the same verdicts as the agents give."""
        try:
            try:
                prepared = dedup.prepare(Article.from_bytes(value), self._dedup_cfg)
                verdict = self.dedup_index(index).judge([prepared])[0]
            except (KeyError, TypeError, ValueError) as exc:
                raise StageCrashed(f"{type(exc).__name__}: {exc}") from exc
        except StageError as exc:
            return self._dead(record_id(key, value), "dedup", exc, value)
        return Outcome(prepared.id, prepared.event(verdict), duplicate=verdict_status(verdict))

    async def _offloaded(self, stage: str, key: bytes | None, value: bytes,
                         fn: Callable[..., Article], *args: Any) -> Outcome:
        try:
            article_id, encoded = await self._pool.run(_timed_record, stage, fn, value, *args, timeout=self._timeout)
        except StageError as exc:
            return self._dead(record_id(key, value), stage, exc, value)
        return Outcome(article_id, encoded)

    def now(self) -> datetime:
        return self._clock()

    def _dead(self, article_id: str, stage: str, exc: StageError, value: bytes) -> Outcome:
        return Outcome(article_id, deadletter=deadletter_event(article_id, stage, exc, value, self._clock()))
