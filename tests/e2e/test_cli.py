"""The `news-ingest` commands as a user runs them (console script, environment settings, real broker):
`produce` from files, directories and stdin, `tail` with its flags, `enrich` over the same inputs keeping
order, running a subset, showing progress and ending with its summary."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import orjson
import pytest

from tests.support.kafka import collect, run
from tests.support.workers import settings_env
from workers.records import record_id
from workers.settings import Settings

pytestmark = pytest.mark.e2e

CLI = [sys.executable, "-m", "workers"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"


def cli(settings: Settings, *args: str, stdin: bytes = b"", timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run([*CLI, *args], env=settings_env(settings), input=stdin, capture_output=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    return result


def page(title: str) -> str:
    body = " ".join(f"The council met on day {i} and agreed on the new harbour budget." for i in range(12))
    return (f"<html><head><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>")


def test_produce_publishes_html_txt_jsonl_directories_and_stdin_keyed_by_id_with_an_honest_summary(
        pipeline_settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(page("Harbour budget agreed"), encoding="utf-8")
    shutil.copy(EXAMPLES / "02-stadtbibliothek-agentur.txt", tmp_path / "wire.txt")
    jsonl = [orjson.dumps({"id": f"line-{i}", "text": f"Line article number {i}. " * 20}) for i in range(2)]
    (tmp_path / "feed.jsonl").write_bytes(b"\n".join(jsonl) + b"\n\n")
    crawl = tmp_path / "crawl"
    (crawl / "deeper").mkdir(parents=True)
    (crawl / "deeper" / "a.htm").write_text(page("Ferry timetable changes"), encoding="utf-8")
    (crawl / "notes.md").write_text("not an article")
    (crawl / ".hidden.html").write_text(page("Editor's draft"), encoding="utf-8")
    from_stdin = orjson.dumps({"id": "from-stdin", "text": "Piped article. " * 20})
    files = [str(tmp_path / n) for n in ("story.html", "wire.txt", "feed.jsonl", "crawl")]

    result = cli(pipeline_settings, "produce", "-", *files, stdin=from_stdin + b"\n")

    records = run(raw_records(pipeline_settings, 6))
    assert len(records) == 6
    assert all(key == record_id(None, value) for key, value in records)
    values = [orjson.loads(v) for _, v in records]
    sent = sum(len(v) for _, v in records)
    stderr = result.stderr.decode()
    assert stderr.strip().splitlines()[-1] == (
        f"produced 6 records ({sent / 1000:.1f} kB) to {pipeline_settings.topic_raw}; "
        f"skipped 1 file: {crawl / 'notes.md'} (not .html/.htm/.txt/.jsonl)")
    assert "\r" not in stderr, "a progress bar was drawn on a stderr that is not a terminal"
    assert {v.get("id") for v in values} >= {"line-0", "line-1", "from-stdin"}
    html = next(v for v in values if "html" in v and "Harbour budget" in v["html"])
    assert html["meta"] == {"file": "story.html"}
    assert any(v.get("meta") == {"file": "a.htm"} for v in values)
    wire = next(v for v in values if v.get("meta") == {"file": "wire.txt"})
    # sent as written: the extract stage, not produce, reads the crawler's ` date YYYY-MM-DD ` token
    assert wire == {"text": (tmp_path / "wire.txt").read_text(encoding="utf-8"), "meta": {"file": "wire.txt"}}


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
    assert events[2]["duplicate"]["status"] == "exact"
    assert events[2]["duplicate"]["of"] == "order-0"


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


def offline_env(**extra: str) -> dict[str, str]:
    """The environment of a user with no broker configured (enrich needs none), one pool process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "NEWS_INGEST_"))}
    return {**env, "NEWS_INGEST_POOL_WORKERS": "1", **extra}


def test_enrich_takes_what_produce_takes_and_ends_with_an_honest_summary(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(EXAMPLES, articles)
    (articles / "NOTES.md").write_text("not an article")
    # the lines of issue 17: a page that parses but holds no main text, and a line that is not JSON
    piped = b'{"html":"<p>a</p>"}\nnot json\n'

    result = subprocess.run([*CLI, "enrich", "-", str(articles), "--output", str(tmp_path / "out.jsonl")],
                            env=offline_env(), input=piped, capture_output=True, timeout=300, check=False)

    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr[-3000:]
    events = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    dead = {e["id"]: e["error"]["type"] for e in events if "error" in e}
    assert len(events) == 7
    assert sorted(dead.values()) == ["invalid_json", "missing_content", "no_content"]
    assert dead[record_id(None, b'{"html":"<p>a</p>"}')] == "no_content"
    assert dead["broken-record"] == "missing_content"
    verdicts = {e["meta"].get("file", e["id"]) if e.get("meta") else e["id"]: e["duplicate"]["status"]
                for e in events if "error" not in e}
    assert verdicts == {"01-stadtbibliothek.html": "unique", "02-stadtbibliothek-agentur.txt": "near",
                        "03-footbridge.txt": "unique", "partner-footbridge": "exact"}
    assert stderr.strip().splitlines()[-2:] == [
        "7 records: 4 enriched, 3 dead-lettered (invalid_json 1, missing_content 1, no_content 1)",
        f"skipped 1 file: {articles / 'NOTES.md'} (not .html/.htm/.txt/.jsonl)"]
    assert "\r" not in stderr, "a progress bar was drawn on a stderr that is not a terminal"


def test_enrich_draws_a_progress_bar_with_rate_and_eta_on_a_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a new pty is 0 columns wide
    process = subprocess.Popen([*CLI, "enrich", str(EXAMPLES), "--output", str(tmp_path / "out.jsonl")],
                               env=offline_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=terminal)
    os.close(terminal)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the process closed the terminal
        while chunk := os.read(controller, 4096):
            shown += chunk
    os.close(controller)
    assert process.wait(timeout=300) == 0, shown.decode(errors="replace")[-3000:]
    text = shown.decode(errors="replace")
    for part in ("enrich:", "/5 [", "records/s", "\r"):
        assert part in text, (part, text)
    assert "5 records: 4 enriched, 1 dead-lettered (missing_content 1)" in text
