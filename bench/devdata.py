"""Where tests and benchmarks find the development data that is not in the repository (read in place).

Two settings, read here and nowhere else:

- `NEWS_INGEST_DATA_DIR_DEV`: the evaluation sets, gzip JSON Lines (default `../shared/data` beside the checkout);
- `NEWS_INGEST_SEEDS_DIR`: the two seed texts (default `../shared/seeds`).

A folder that is neither set nor present at its default is *missing* (`DevDataMissing`): the tests
that need it are left out and listed once at the end of the run (`tests/conftest.py`). A folder that
is set, or present, must hold what is asked of it: a missing file there is an error, never a skip.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent
DATA_ENV, SEEDS_ENV = "NEWS_INGEST_DATA_DIR_DEV", "NEWS_INGEST_SEEDS_DIR"
HOW_TO_GET = (f"put the project's shared folder beside the checkout (../shared/data, ../shared/seeds), or set "
              f"{DATA_ENV} and {SEEDS_ENV} to where they are; the README's 'Development data' section lists "
              "the sets and their public sources")


class DevDataMissing(FileNotFoundError):
    """The development data is not on this machine (and no setting says where it is)."""


def _folder(env: str, default: Path) -> Path:
    if env in os.environ:
        return Path(os.environ[env])
    if not default.is_dir():
        raise DevDataMissing(f"no development data at {default} and {env} is not set: {HOW_TO_GET}")
    return default


def data_dir() -> Path:
    return _folder(DATA_ENV, REPO.parent / "shared" / "data")


def seeds_dir() -> Path:
    return _folder(SEEDS_ENV, REPO.parent / "shared" / "seeds")


def rows(name: str) -> Iterator[dict[str, Any]]:
    """Rows of one gzip JSON Lines file of the data folder, e.g. `rows("dates_dev.jsonl.gz")`.

    orjson first (fast); the stdlib parser for the rare row orjson rejects (a lone surrogate escape
    in one page of the dates set).
    """
    with gzip.open(data_dir() / name, "rb") as lines:
        for line in lines:
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError:
                yield json.loads(line)


def seed_paths() -> list[Path]:
    """The seed texts, in name order; an error when the folder holds none."""
    folder = seeds_dir()
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise FileNotFoundError(f"no seed texts (*.txt) in {folder} ({SEEDS_ENV})")
    return paths
