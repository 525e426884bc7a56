"""`news-ingest replay` sends dead letters back after a fix; they come out enriched with their ids."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import orjson
import pytest

from tests.support.kafka import collect, produce, run
from tests.support.workers import settings_env
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


def test_replay_by_stage_and_all_send_each_record_to_the_topic_its_stage_reads(pipeline_settings: Settings,
                                                                               start_worker) -> None:
    start_worker()
    at_extract = b'{"id": "raw-broken", "text": '
    at_normalize = b'{"never": "an extracted article"'
    run(produce(pipeline_settings, [at_extract]))
    run(produce(pipeline_settings, [at_normalize], topic=pipeline_settings.topic_extracted))
    dead = run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=2, timeout=120))
    assert sorted(d["stage"] for d in dead) == ["extract", "normalize"]
    ids = {d["stage"]: d["id"] for d in dead}

    dry = subprocess.run([sys.executable, "-m", "workers", "replay", "--stage", "normalize", "--dry-run"],
                         env=settings_env(pipeline_settings), capture_output=True, text=True, timeout=120,
                         check=True)
    assert "read 2 dead letter(s), would replay 1" in dry.stderr
    assert run(replay_deadletters(pipeline_settings, stages=("normalize",))) == {"read": 2, "replayed": 1}
    again = run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=3, timeout=120))
    # back on the topic normalize reads (not the raw topic), so normalize fails it again, under the same id
    assert Counter((d["stage"], d["id"]) for d in again) == {("extract", ids["extract"]): 1,
                                                             ("normalize", ids["normalize"]): 2}

    assert run(replay_deadletters(pipeline_settings)) == {"read": 3, "replayed": 3}
    final = run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=7, timeout=30))
    assert Counter((d["stage"], d["id"]) for d in final) == {("extract", ids["extract"]): 2,
                                                             ("normalize", ids["normalize"]): 4}
    originals = {d["id"]: d["input"] for d in dead}
    assert all(d["input"] == originals[d["id"]] for d in final)  # the exact bytes, every time
