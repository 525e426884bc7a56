"""Loading the shared development data (`../shared/data`, read in place, never copied)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """`NEWS_INGEST_SHARED_DIR`, else the `shared/` folder beside the checkout."""
    return Path(os.environ.get("NEWS_INGEST_SHARED_DIR", REPO.parent / "shared"))


def rows(name: str) -> Iterator[dict[str, Any]]:
    """Rows of one gzip JSON Lines file in `shared/data`, e.g. `rows("dates_dev.jsonl.gz")`.

    orjson first (fast); the stdlib parser for the rare row orjson rejects (a lone surrogate escape
    in one page of the dates set).
    """
    with gzip.open(shared_dir() / "data" / name, "rb") as lines:
        for line in lines:
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError:
                yield json.loads(line)


def seed_paths() -> list[Path]:
    return sorted((shared_dir() / "seeds").glob("*.txt"))
