"""`news-ingest replay` sends dead letters back after a fix; they come out enriched with their ids."""

from __future__ import annotations

import orjson
import pytest

from tests.support.kafka import collect, produce, run
from workers.cli.replay import replay_deadletters
from workers.settings import Settings

pytestmark = pytest.mark.e2e


def test_replay_after_a_fix_enriches_the_dead_letters_keeping_their_ids(pipeline_settings: Settings,
                                                                         start_worker) -> None:
    text = "The council approved the budget after a long debate about schools and roads. " * 40
    big = orjson.dumps({"id": "too-big-then-fixed", "text": text, "language": "en"})
    broken = b'{"id": "never-valid", "text": '
    strict = pipeline_settings.model_copy(update={"max_input_bytes": 1024})
    first = start_worker(settings=strict, name="strict")
    run(produce(strict, [big, broken]))
    dead = run(collect(strict, strict.topic_deadletter, count=2, timeout=120))
    assert {d["error"]["type"] for d in dead} == {"too_large", "invalid_json"}
    first.stop()

    start_worker(name="fixed")  # the fix: a larger input limit
    counts = run(replay_deadletters(pipeline_settings, reasons=("too_large",)))

    assert counts == {"read": 2, "replayed": 1}
    enriched = run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=1, timeout=120))
    assert [e["id"] for e in enriched] == ["too-big-then-fixed"]
    assert enriched[0]["text"].startswith("The council approved the budget")
