"""Turning files into raw-event records: `.html`/`.htm`, `.txt` (sent as written), `.jsonl` (line by line)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
from charset_normalizer import from_bytes


def text_record(content: str) -> dict[str, object]:
    """The raw record of a plain-text file: its text exactly as written.

    No parsing here: the extract stage reads the crawler's conventions (the leading ` date YYYY-MM-DD `
    token, `workers.stages.extract.crawler`), so a record sent by any other client is enriched the same.
    """
    return {"text": content}


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
