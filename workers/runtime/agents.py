"""Thin Faust wiring: each agent reads its topic, calls its step and routes the outcome.

Pure work runs in the `StagePool` (off the event loop, with a time limit), so heartbeats keep
flowing however slow a page is. Dedup reads and writes a Faust table and stays in the loop.
Nothing may escape an agent (Faust would acknowledge the record): see `workers.runtime.failfast`.

Outcomes go straight to Faust's producer (`_Router.produce`), not through `Topic.send`, which
builds a `FutureMessage`, runs the send sensors and a callback chain per record: the largest part
of the event loop's time per record on the dedup writer (bench.dedup_kafka). At-least-once holds
as before: the agent awaits the producer's `send`, which returns once the record is in aiokafka's
accumulator, before it yields (Faust acknowledges the offset only after that), and Faust flushes
the producer before it commits offsets (`Consumer.commit`). Not `send_soon`: Faust's buffer flush
gives up after 0.1 s with records still queued (`ProducerBuffer.flush_atmost`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import faust
import orjson

from workers.runtime.dedup_agents import register_dedup_agent
from workers.runtime.dlq_guard import DeadLetterGuard, DeadLetterLimitError
from workers.runtime.failfast import exit_on_failure
from workers.runtime.metrics import Metrics
from workers.runtime.pool import StagePool
from workers.runtime.steps import Outcome, Steps
from workers.settings import Settings
from workers.topics import stage_topics

Step = Callable[[bytes | None, bytes], Awaitable[Outcome]]

log = logging.getLogger(__name__)


class _Runtime:
    """Creates the process pool when the worker starts, not at import (fork after threads is unsafe)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._steps: Steps | None = None
        self._pool: StagePool | None = None

    @property
    def steps(self) -> Steps:
        if self._steps is None:
            s = self._settings
            self._pool = StagePool(s.pool_workers, max_tasks=s.pool_max_tasks, memory_mb=s.pool_memory_mb)
            self._steps = Steps(s, self._pool)
        return self._steps

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


def _raw_topic(app: faust.App, name: str) -> faust.TopicT:
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def extract_agent(app: faust.App, settings: Settings, runtime: _Runtime,
                  route: Callable[[Outcome, faust.TopicT], Awaitable[None]]) -> None:
    """Extract, with the per-source boilerplate profiles every worker reads (a Faust GlobalTable).

    A GlobalTable because the stream is keyed by article id while profiles are keyed by source:
    every worker needs every source's profile. Concurrent writes for one source from two workers
    are last-writer-wins, which only makes counts run slightly low (the profile is a heuristic).
    The actors of one worker do not race: `learn` reads the profile again after the extraction and
    writes it back with no `await` in between, so each update is applied to the latest version (an
    actor may extract with a profile one record old). HTML pages have no profile and are not parsed
    in the event loop for one (`Steps.profile_key`).

    Faust files a table write under the partition of the event being processed; for a table keyed
    otherwise, one source's versions then sat in several changelog partitions and RocksDB partition
    stores, and after a SIGKILL an old version was read back (the restart test caught it). So: one
    changelog partition written through the partitioner (every version of a source in order), the
    in-memory store rebuilt from that compacted changelog on start (profiles are small and bounded),
    and `recovery_buffer_size=1`, the settings Faust's GlobalTable docstring gives for several workers.
    """
    profiles = app.GlobalTable("extract-profiles", default=None, partitions=1, recovery_buffer_size=1,
                               store="memory://", use_partitioner=True,
                               schema=faust.Schema(key_serializer="json", value_serializer="json"))
    sink = _raw_topic(app, stage_topics(settings)["extract"].sink)

    async def extract(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
        async for event in stream.events():
            with exit_on_failure("extract"):
                steps = runtime.steps
                source = steps.profile_key(event.value)
                profile = profiles.get(source) if source else None
                outcome = await steps.extract(event.key, event.value, profile)
                await route(outcome, sink)
                if source and outcome.deadletter is None:
                    profiles[source] = steps.learn(event.value, profiles.get(source))
            yield None

    app.agent(_raw_topic(app, stage_topics(settings)["extract"].source), name="extract",
              concurrency=settings.pool_workers)(extract)


class _Router:
    """Sends each outcome to its next topic or the dead-letter topic, counted by the dead-letter rate guard."""

    def __init__(self, app: faust.App, settings: Settings, metrics: Metrics) -> None:
        self._stage_of_sink = {t.sink: stage for stage, t in stage_topics(settings).items()}
        self._app = app
        self._deadletter = _raw_topic(app, settings.topic_deadletter).get_topic_name()
        self._guard = DeadLetterGuard(settings.deadletter_limit_share, settings.deadletter_limit_window)
        self._metrics = metrics

    def observe(self, stage: str, outcome: Outcome) -> None:
        """Count a finished record in its stage's window; over the limit, stop before it is routed."""
        reason = outcome.deadletter["error"]["type"] if outcome.deadletter is not None else None
        tripped = self._guard.observe(stage, outcome.key, reason)
        if tripped is not None:  # escapes the agent: exit_on_failure ends the worker, uncommitted
            raise DeadLetterLimitError(tripped.message())

    async def route(self, outcome: Outcome, sink: faust.TopicT) -> None:
        """Count the outcome (the rate guard), then send it on."""
        self.observe(self._stage_of_sink[sink.get_topic_name()], outcome)
        await self.forward(outcome, sink)

    async def forward(self, outcome: Outcome, sink: faust.TopicT) -> None:
        """Send without counting: for outcomes already counted where the stage finished them (dedup)."""
        key = outcome.key.encode()
        stage = self._stage_of_sink[sink.get_topic_name()]
        if outcome.deadletter is not None:
            await self.produce(self._deadletter, key, orjson.dumps(outcome.deadletter))
            reason = outcome.deadletter["error"]["type"]
            fields = {"article_id": outcome.key, "stage": stage, "reason": reason}
            if reason == "stage_crashed":  # a bug of ours, not the record's: an error, with what was raised
                log.error("dead-lettered: %s: %s", reason, outcome.deadletter["error"]["message"][:300], extra=fields)
            else:
                log.warning("dead-lettered: %s", reason, extra=fields)
        else:
            assert outcome.value is not None
            await self.produce(sink.get_topic_name(), key, outcome.value)
            log.debug("routed", extra={"article_id": outcome.key, "stage": stage})
        self._metrics.routed(stage, outcome)

    async def produce(self, topic: str, key: bytes, value: bytes) -> None:
        """Hand one record to the producer; returns once it is queued for sending (module docstring)."""
        producer = await self._app.maybe_start_producer()
        queued = await producer.send(topic, key, value, None, None, None)
        queued.add_done_callback(_delivered)


def _delivered(delivery: Any) -> None:
    """A record the producer could not deliver after its retries: logged, as Faust's `Topic.send` did (a
    warning there). The worker keeps running as before: stopping would loop on a record the broker refuses."""
    if not delivery.cancelled() and delivery.exception() is not None:
        log.error("the producer could not deliver a record: %r", delivery.exception())


def register_agents(app: faust.App, settings: Settings, metrics: Metrics | None = None) -> None:
    metrics = metrics or Metrics()
    runtime = _Runtime(settings)
    topics = stage_topics(settings)
    router = _Router(app, settings, metrics)
    route = router.route

    def pure_agent(stage: str, step: Callable[[Steps], Step]) -> None:
        sink = _raw_topic(app, topics[stage].sink)

        async def agent(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
            async for event in stream.events():
                with exit_on_failure(stage):
                    await route(await step(runtime.steps)(event.key, event.value), sink)
                yield None

        app.agent(_raw_topic(app, topics[stage].source), name=stage,
                  concurrency=settings.pool_workers)(agent)

    names = settings.stage_names()
    if "extract" in names:
        extract_agent(app, settings, runtime, route)
    if "normalize" in names:
        pure_agent("normalize", lambda steps: steps.normalize)
    if "tag" in names:
        pure_agent("tag", lambda steps: steps.tag)
    if "dedup" in names:
        register_dedup_agent(app, settings, steps=lambda: runtime.steps, route=route, forward=router.forward,
                             observe=lambda outcome: router.observe("dedup", outcome),
                             source=_raw_topic(app, topics["dedup"].source),
                             sink=_raw_topic(app, topics["dedup"].sink))

    async def close_pool(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        runtime.close()

    app.on_before_shutdown.connect(close_pool)  # type: ignore[arg-type]  # mode types sync receivers only
