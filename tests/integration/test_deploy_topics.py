"""`news-ingest topics create` (the compose one-shot job) on the real broker: partitions and retention."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from tests.support.kafka import run
from tests.support.workers import settings_env
from workers.kafka import aiokafka_options
from workers.settings import Settings
from workers.topics import all_topics

pytestmark = pytest.mark.integration


async def describe(settings: Settings) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        names = all_topics(settings)
        topics: list[Any] = await admin.describe_topics(names)
        partitions = {t["topic"]: len(t["partitions"]) for t in topics}
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
        configs = {resource[3]: {entry[0]: entry[1] for entry in resource[4]}
                   for response in responses for resource in response.resources}
    finally:
        await admin.close()
    return partitions, configs


def test_topics_create_makes_every_topic_with_partitions_and_retention(pipeline_settings: Settings) -> None:
    settings = pipeline_settings.model_copy(update={"topic_partitions": 3, "topic_retention_hours": 2.0,
                                                    "topic_deadletter_retention_hours": 48.0})
    argv = [sys.executable, "-m", "workers", "topics", "create"]
    for _ in range(2):  # the job may run again on every `compose up`: the second run changes nothing
        done = subprocess.run(argv, env=settings_env(settings), capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, done.stderr

    partitions, configs = run(describe(settings))

    assert partitions == dict.fromkeys(all_topics(settings), 3)
    for name in all_topics(settings):
        expected = 48 * 3_600_000 if name == settings.topic_deadletter else 2 * 3_600_000
        assert configs[name]["retention.ms"] == str(expected), name
