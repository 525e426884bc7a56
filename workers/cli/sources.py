"""What `produce` and `enrich` read: paths of `.html`/`.htm`, `.txt` and `.jsonl` files, directories of
them, or `-` for JSON lines on stdin; checked before anything is sent, counted as it is read.

Each file becomes raw records in `inputs.file_records` (the one place that builds them).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workers.cli.errors import InputUnreadable, UnsupportedInput
from workers.cli.inputs import file_records

SUFFIXES = (".html", ".htm", ".txt", ".jsonl")
KINDS = "/".join(SUFFIXES)
STDIN = "-"


@dataclass
class Inputs:
    """The files named by `paths` (directories walked in name order), and what was left out and why."""

    paths: tuple[str, ...]
    source: str | None = None
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    records: int = 0
    size: int = 0  # bytes of the records read

    def __post_init__(self) -> None:
        for name in self.paths:
            if name != STDIN:
                self._add(Path(name))

    @property
    def stdin(self) -> bool:
        return STDIN in self.paths

    def _add(self, path: Path) -> None:
        if not path.exists():
            raise InputUnreadable(f"input {path} does not exist")
        if path.is_dir():
            found = [p for p in sorted(path.rglob("*")) if p.is_file()
                     and not any(part.startswith(".") for part in p.relative_to(path).parts)]
            for file in found:
                if file.suffix.lower() in SUFFIXES:
                    self._add(file)
                else:
                    self.skipped.append((file, f"not {KINDS}"))
            if not any(f.suffix.lower() in SUFFIXES for f in found):
                raise InputUnreadable(f"input directory {path} holds no {KINDS} file")
            return
        if path.suffix.lower() not in SUFFIXES:
            raise UnsupportedInput(f"input {path}: unsupported file type {path.suffix or '(no suffix)'}; give "
                                   f"{KINDS} files, directories of them, or - for JSON lines on stdin")
        if not os.access(path, os.R_OK):
            raise InputUnreadable(f"input {path} is not readable (permission denied)")
        self.files.append(path)

    def total(self) -> int | None:
        """How many records there are (a `.jsonl` file is counted line by line), None when stdin is read."""
        if self.stdin:
            return None
        count = 0
        for path in self.files:
            if path.suffix.lower() != ".jsonl":
                count += 1
                continue
            try:
                with path.open("rb") as lines:
                    count += sum(1 for line in lines if line.strip())
            except OSError as exc:
                raise _unreadable(path, exc) from exc
        return count

    def __iter__(self) -> Iterator[bytes]:
        """Raw-event values: stdin first, then the files in order; counts records and bytes."""
        if self.stdin:
            for line in sys.stdin.buffer:
                if line.strip():
                    yield self._count(line.rstrip(b"\r\n"))
        for path in self.files:
            values = file_records(path, source=self.source)
            while True:
                try:
                    value = next(values)
                except StopIteration:
                    break
                except OSError as exc:
                    raise _unreadable(path, exc) from exc
                yield self._count(value)

    def _count(self, value: bytes) -> bytes:
        self.records += 1
        self.size += len(value)
        return value

    def skipped_note(self) -> str:
        """`skipped 2 files: a.md, b.pdf (not .html/...)`, or '' when nothing was left out."""
        if not self.skipped:
            return ""
        by_reason: dict[str, list[str]] = {}
        for path, reason in self.skipped:
            by_reason.setdefault(reason, []).append(str(path))
        parts = [f"{', '.join(names)} ({reason})" for reason, names in by_reason.items()]
        count = len(self.skipped)
        return f"skipped {count} file{'s' if count != 1 else ''}: " + "; ".join(parts)


def _unreadable(path: Path, exc: OSError) -> InputUnreadable:
    return InputUnreadable(f"input {path} cannot be read: {exc.strerror or exc}")
