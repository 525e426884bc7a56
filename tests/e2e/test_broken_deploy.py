"""A broken deploy stops the worker instead of dead-lettering the stream (real broker)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from tests.support.kafka import produce, run
from tests.support.workers import WorkerProcess
from workers.kafka import aiokafka_options
from workers.models import model_path
from workers.settings import Settings

pytestmark = pytest.mark.e2e


async def _committed(settings: Settings) -> dict[int, int | None]:
    consumer = AIOKafkaConsumer(group_id=settings.app_id, enable_auto_commit=False, **aiokafka_options(settings))
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(settings.topic_raw) or set()
        return {p: await consumer.committed(TopicPartition(settings.topic_raw, p)) for p in sorted(partitions)}
    finally:
        await consumer.stop()


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_broken_ner_model_stops_the_worker_before_it_consumes(pipeline_settings: Settings, tmp_path: Path,
                                                                 damage: str) -> None:
    models = tmp_path / "models"
    shutil.copytree(model_path("accurate"), models / "ner-accurate")
    if damage == "missing":
        (models / "ner-accurate" / "model.onnx").unlink()
    else:
        (models / "ner-accurate" / "model.onnx").write_bytes(b"\0" * 1024)
    settings = pipeline_settings.model_copy(update={"ner_model_dir": models})
    run(produce(settings, [b'{"id": "waiting", "text": "Angela Merkel sprach am Montag in Berlin."}']))
    worker = WorkerProcess(settings, tmp_path).start()
    deadline = time.monotonic() + 120
    while worker.alive and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not worker.alive, "the worker kept running on a broken model"
    assert worker.process is not None
    assert worker.process.returncode != 0
    assert "ModelUnavailable" in worker.log() or "cannot be loaded" in worker.log() or "lacks" in worker.log()
    assert all(offset is None for offset in run(_committed(settings)).values())
