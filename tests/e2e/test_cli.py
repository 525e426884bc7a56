"""The `news-ingest` commands as a user runs them (console script, environment settings, real broker):
`produce` from files and stdin, `tail` with its flags, `enrich` keeping order and running a subset."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from bench.devdata import seed_paths
from tests.support.kafka import collect, run
from tests.support.workers import settings_env
from workers.records import record_id
from workers.settings import Settings

pytestmark = pytest.mark.e2e

CLI = [sys.executable, "-m", "workers"]


def cli(settings: Settings, *args: str, stdin: bytes = b"", timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run([*CLI, *args], env=settings_env(settings), input=stdin, capture_output=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    return result


def page(title: str) -> str:
    body = " ".join(f"The council met on day {i} and agreed on the new harbour budget." for i in range(12))
    return (f"<html><head><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>")


def test_produce_publishes_html_txt_jsonl_and_stdin_keyed_by_id_with_progress_and_count(
        pipeline_settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(page("Harbour budget agreed"), encoding="utf-8")
    shutil.copy(seed_paths()[0], tmp_path / "seed.txt")
    jsonl = [orjson.dumps({"id": f"line-{i}", "text": f"Line article number {i}. " * 20}) for i in range(2)]
    (tmp_path / "feed.jsonl").write_bytes(b"\n".join(jsonl) + b"\n\n")
    from_stdin = orjson.dumps({"id": "from-stdin", "text": "Piped article. " * 20})

    result = cli(pipeline_settings, "produce", "-", *(str(tmp_path / n) for n in ("story.html", "seed.txt",
                                                                                  "feed.jsonl")),
                 stdin=from_stdin + b"\n")

    stderr = result.stderr.decode()
    assert f"produced 5 record(s) to {pipeline_settings.topic_raw}" in stderr
    assert "3/3" in stderr, f"no progress bar over the three files: {stderr}"
    records = run(raw_records(pipeline_settings, 5))
    assert len(records) == 5
    for key, value in records:
        assert key == record_id(None, value)
    values = [orjson.loads(v) for _, v in records]
    ids = {v.get("id") for v in values}
    assert {"line-0", "line-1", "from-stdin"} <= ids
    html = next(v for v in values if "html" in v)
    assert "Harbour budget agreed" in html["html"] and html["meta"] == {"file": "story.html"}
    seed = next(v for v in values if v.get("meta") == {"file": "seed.txt"})
    assert seed["published_at"].startswith("20") and not seed["text"].startswith(" date ")


async def raw_records(settings: Settings, count: int) -> list[tuple[str, bytes]]:
    from aiokafka import AIOKafkaConsumer  # noqa: PLC0415

    from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options  # noqa: PLC0415

    consumer = AIOKafkaConsumer(settings.topic_raw, **aiokafka_options(settings), group_id=None,
                                auto_offset_reset="earliest", fetch_max_bytes=MAX_MESSAGE_BYTES)
    await consumer.start()
    found: list[tuple[str, bytes]] = []
    try:
        deadline = time.monotonic() + 60
        while len(found) < count and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [(r.key.decode(), r.value) for r in records]
    finally:
        await consumer.stop()
    return found


def test_tail_prints_enriched_and_dead_letters_with_its_flags(pipeline_settings: Settings, start_worker,
                                                              tmp_path: Path) -> None:
    start_worker()
    good = [orjson.dumps({"id": f"tail-{i}", "text": f"Article {i} about the harbour budget. " * 20,
                          "language": "en"}) for i in range(3)]
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    broken = b'{"id": "tail-broken", "text": '  # unparsable, so its id is derived from its bytes
    first.write_bytes(good[0] + b"\n" + broken + b"\n")
    rest.write_bytes(b"\n".join(good[1:]) + b"\n")
    cli(pipeline_settings, "produce", str(first))
    run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=1, timeout=120))
    follower = subprocess.Popen([*CLI, "tail", "--from-beginning", "--follow", "--limit", "3"],
                                env=settings_env(pipeline_settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2)
    cli(pipeline_settings, "produce", str(rest))
    run(collect(pipeline_settings, pipeline_settings.topic_enriched, count=3, timeout=120))
    run(collect(pipeline_settings, pipeline_settings.topic_deadletter, count=1, timeout=60))

    everything = [orjson.loads(line) for line in cli(pipeline_settings, "tail", "--from-beginning").stdout.splitlines()]
    limited = cli(pipeline_settings, "tail", "--from-beginning", "--limit", "1").stdout.splitlines()
    from_end = cli(pipeline_settings, "tail").stdout.splitlines()
    dead = [orjson.loads(line) for line in
            cli(pipeline_settings, "tail", "--deadletter", "--from-beginning").stdout.splitlines()]
    followed, _ = follower.communicate(timeout=60)

    assert sorted(e["id"] for e in everything) == ["tail-0", "tail-1", "tail-2"]
    assert len(limited) == 1
    assert from_end == []  # without --from-beginning, only events that arrive after the start
    assert [(d["id"], d["error"]["type"]) for d in dead] == [(record_id(None, broken), "invalid_json")]
    # --follow printed the event that was there and waited for the two produced after it started
    assert follower.returncode == 0
    assert sorted(orjson.loads(line)["id"] for line in followed.splitlines()) == ["tail-0", "tail-1", "tail-2"]


def test_enrich_writes_one_line_per_input_line_in_input_order(pipeline_settings: Settings, tmp_path: Path) -> None:
    lines = [*(orjson.dumps({"id": f"order-{i}", "text": f"Story {i}: the harbour budget was debated again. " * 15,
                            "language": "en"}) for i in range(4)),
             b"not json at all", orjson.dumps({"id": "order-empty", "text": ""})]
    lines.insert(2, orjson.dumps({**orjson.loads(lines[0]), "id": "order-copy"}))  # an exact copy, own id
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")

    cli(pipeline_settings, "enrich", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))

    events = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert [e["id"] for e in events] == [record_id(None, line) for line in lines]
    assert ["error" in e for e in events] == [False] * 5 + [True, True]
    assert events[2]["duplicate"]["status"] == "exact" and events[2]["duplicate"]["of"] == "order-0"


def test_enrich_stages_subset_tags_clean_text_and_passes_it_through(pipeline_settings: Settings) -> None:
    text = ("Bundeskanzler Friedrich Merz traf am Mittwoch in Berlin den französischen Präsidenten "
            "Emmanuel Macron.\n\nDie beiden sprachen über die Ukraine und die NATO.")
    raw = orjson.dumps({"id": "clean-1", "text": text, "published_at": "2025-12-31T10:00:00Z"})

    result = cli(pipeline_settings, "enrich", "--stages", "normalize,tag", stdin=raw + b"\n")

    [event] = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert event["text"] == text
    assert event["language"]["code"] == "de"
    assert {e["text"] for e in event["entities"]} >= {"Friedrich Merz", "Berlin", "Emmanuel Macron"}
    assert all(text[e["start"]:e["end"]] == e["text"] for e in event["entities"])
    assert event["duplicate"] is None  # dedup did not run
    assert set(event["provenance"]["timings_ms"]) == {"normalize", "tag"}
