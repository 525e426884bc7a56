"""The topic map (names from settings) and idempotent topic creation with an admin client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.settings import Settings


@dataclass(frozen=True, slots=True)
class StageTopics:
    """Which topic a stage reads and which it writes."""

    source: str
    sink: str


def stage_topics(settings: Settings) -> dict[str, StageTopics]:
    return {
        "extract": StageTopics(settings.topic_raw, settings.topic_extracted),
        "normalize": StageTopics(settings.topic_extracted, settings.topic_normalized),
        "tag": StageTopics(settings.topic_normalized, settings.topic_tagged),
        "dedup": StageTopics(settings.topic_tagged, settings.topic_enriched),
    }


def all_topics(settings: Settings) -> list[str]:
    return [settings.topic_raw, settings.topic_extracted, settings.topic_normalized, settings.topic_tagged,
            settings.topic_enriched, settings.topic_deadletter]


def topic_config(settings: Settings, name: str) -> dict[str, str]:
    """Broker-side config of a new pipeline topic: message size and retention (longer for dead letters)."""
    hours = (settings.topic_deadletter_retention_hours if name == settings.topic_deadletter
             else settings.topic_retention_hours)
    return {"max.message.bytes": str(MAX_MESSAGE_BYTES), "retention.ms": str(int(hours * 3_600_000))}


async def ensure_topics(settings: Settings, *, attempts: int = 30) -> None:
    """Create the pipeline's topics if missing (partitions and message size from settings)."""
    wanted = [NewTopic(name, settings.topic_partitions, settings.topic_replication,
                       topic_configs=topic_config(settings, name)) for name in all_topics(settings)]
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(**aiokafka_options(settings))
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in wanted if t.name not in existing]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):  # another worker was first
                    await admin.create_topics(missing)
                await _leaders_answer(settings, admin, [t.name for t in missing])
        except Exception:  # the cluster may still be electing its controller
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1)
        else:
            return
        finally:
            await admin.close()


async def _leaders_answer(settings: Settings, admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """Return once every partition of the topics just created has a leader that answers offset requests.

    Why: a new partition's leader is named a moment before it serves; until then produce and offset
    requests fail with `NotLeaderForPartitionError`, which aiokafka retries but logs as an error each
    time, so the first command after a fresh start printed a screen of them. They are expected here,
    muted while this waits (bounded by the clients' request timeout and 30 s of polling).
    """
    partitions: list[TopicPartition] = []
    for _ in range(150):
        described = await admin.describe_topics(names)
        partitions = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
                      if p["error_code"] == 0 and p["leader"] >= 0]
        if len(partitions) >= len(names) * settings.topic_partitions:
            break
        await asyncio.sleep(0.2)
    fetcher_log = logging.getLogger("aiokafka.consumer.fetcher")
    level = fetcher_log.level
    fetcher_log.setLevel(logging.CRITICAL)
    try:
        consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None, enable_auto_commit=False)
        async with started(consumer):
            await consumer.end_offsets(partitions)
    finally:
        fetcher_log.setLevel(level)
