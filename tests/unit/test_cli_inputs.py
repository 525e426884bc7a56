"""What `produce` and `enrich` read (paths, directories, stdin), how they show progress, and their summary."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from workers.cli.errors import InputUnreadable, UnsupportedInput
from workers.cli.report import Progress, Tally, size
from workers.cli.sources import Inputs

PAGE = "<html><body><article><p>The council met and agreed on the harbour budget.</p></article></body></html>"


def tree(root: Path) -> Path:
    (root / "b" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("Story text. " * 10)
    (root / "b" / "page.HTML").write_text(PAGE)
    (root / "b" / "deeper" / "feed.jsonl").write_bytes(b'{"id": "x", "text": "one"}\n\n{"id": "y", "text": "two"}\n')
    (root / "b" / "notes.md").write_text("not an article")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD.txt").write_text("hidden")
    return root


def test_a_directory_is_walked_in_name_order_skipping_what_no_command_reads(tmp_path: Path) -> None:
    inputs = Inputs((str(tree(tmp_path / "crawl")),), source="example.org")

    assert [p.name for p in inputs.files] == ["a.txt", "feed.jsonl", "page.HTML"]
    assert inputs.total() == 4  # one record per page or text, one per non-empty JSON line
    raw = list(inputs)
    values = [orjson.loads(v) for v in raw]
    assert [v.get("id") or v["meta"]["file"] for v in values] == ["a.txt", "x", "y", "page.HTML"]
    assert values[0]["source"] == "example.org"
    assert "html" in values[3]
    assert (inputs.records, inputs.size) == (4, sum(map(len, raw)))
    skipped = tmp_path / "crawl" / "b" / "notes.md"
    assert inputs.skipped_note() == f"skipped 1 file: {skipped} (not .html/.htm/.txt/.jsonl)"


def test_paths_that_cannot_be_read_fail_before_anything_is_sent(tmp_path: Path) -> None:
    with pytest.raises(InputUnreadable, match="does not exist"):
        Inputs((str(tmp_path / "missing.txt"),))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputUnreadable, match=r"holds no \.html/\.htm/\.txt/\.jsonl file"):
        Inputs((str(tmp_path / "empty"),))
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")
    with pytest.raises(UnsupportedInput, match=r"unsupported file type \.pdf"):
        Inputs((str(tmp_path / "scan.pdf"),))


def test_stdin_has_no_known_total(tmp_path: Path) -> None:
    assert Inputs(("-",)).total() is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_off_a_terminal_is_a_plain_count_line_every_interval() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("enrich", 100, stream=stream, interval=10.0, clock=clock)
    for _ in range(40):
        clock.now += 0.5
        progress.update()
    progress.close()
    assert stream.getvalue().splitlines() == [
        "enrich: 20/100 records, 2.0/s, about 40 s left",
        "enrich: 40/100 records, 2.0/s, about 30 s left",
    ]
    assert "\r" not in stream.getvalue()


def test_progress_without_a_total_counts_and_rates_only() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("produce", None, stream=stream, interval=1.0, clock=clock)
    clock.now = 2.0
    progress.update(10)
    assert stream.getvalue() == "produce: 10 records, 5.0/s\n"


def test_the_summary_counts_outcomes_and_dead_letters_by_reason() -> None:
    tally = Tally()
    for event in ({"id": "a", "text": "x"}, {"id": "b", "stage": "extract", "error": {"type": "no_content"}},
                  {"id": "c", "text": "y"}, {"id": "d", "stage": "extract", "error": {"type": "invalid_json"}},
                  {"id": "e", "stage": "extract", "error": {"type": "no_content"}}):
        tally.add(orjson.dumps(event))
    assert tally.line() == "5 records: 2 enriched, 3 dead-lettered (no_content 2, invalid_json 1)"
    assert Tally().line() == "0 records: 0 enriched, 0 dead-lettered"
    assert [size(n) for n in (812, 12_345, 4_100_000)] == ["812 B", "12.3 kB", "4.1 MB"]
