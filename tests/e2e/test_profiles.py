"""Per-source boilerplate learned while the stream runs, kept in a Faust table across a restart."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from tests.support.articles import article_text
from tests.support.kafka import outcomes_by_id, produce, run
from workers.settings import Settings

pytestmark = pytest.mark.e2e

RECURRING = "Dieser Beitrag wurde von unserer Redaktion sorgfältig erstellt und vor der Veröffentlichung geprüft."


def send_one(settings: Settings, rng: random.Random, article_id: str) -> dict[str, Any]:
    record = orjson.dumps({"id": article_id, "source": "lokal-news.example", "language": "de",
                           "text": f"{article_text(rng)}\n\n{RECURRING}"})
    run(produce(settings, [record]))
    return run(outcomes_by_id(settings, {article_id}, timeout=120))[article_id][0]


def test_recurring_lines_are_learned_per_source_and_survive_a_worker_restart(pipeline_settings: Settings,
                                                                            start_worker) -> None:
    rng = random.Random(5)
    worker = start_worker()
    first = send_one(pipeline_settings, rng, "profile-0")
    assert RECURRING in first["text"], "precondition: the line's own features keep it"
    for i in range(1, 5):
        send_one(pipeline_settings, rng, f"profile-{i}")
    assert RECURRING not in send_one(pipeline_settings, rng, "profile-5")["text"]

    worker.kill()
    worker.start()
    after = send_one(pipeline_settings, rng, "profile-after-restart")
    assert RECURRING not in after["text"], f"profile not recovered; worker log:\n{worker.log()[-6000:]}"
    assert after["text"].strip()
