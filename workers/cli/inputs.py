"""Turning files into raw-event records: `.html`/`.htm`, `.txt` (with the crawler date line), `.jsonl`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import orjson
from charset_normalizer import from_bytes

# The crawler's plain-text format: the file starts with " date YYYY-MM-DD " and the text follows.
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")


def text_record(content: str) -> dict[str, object]:
    record: dict[str, object] = {}
    match = _DATE_LINE.match(content)
    if match:
        record["published_at"] = match.group(1)
        content = content[match.end():]
    record["text"] = content
    return record


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")


def file_records(path: Path, *, source: str | None = None) -> Iterator[bytes]:
    """Raw-event values for one file; a `.jsonl` line is passed through byte for byte."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as lines:
            for line in lines:
                if line.strip():
                    yield line.rstrip(b"\r\n")
        return
    content = _decode(path.read_bytes())
    record: dict[str, object] = {"html": content} if suffix in {".html", ".htm"} else text_record(content)
    if source:
        record["source"] = source
    record["meta"] = {"file": path.name}
    yield orjson.dumps(record)
