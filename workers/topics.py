"""The topic map (names from settings) and idempotent topic creation with an admin client."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options
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
        except Exception:  # the cluster may still be electing its controller
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1)
        else:
            return
        finally:
            await admin.close()
