"""What the deployment-file tests share: the repo root, YAML loading, and the env names `Settings` reads."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_all_yaml(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def settings_env_names() -> set[str]:
    """Every environment variable `Settings` reads (prefix + field, and the KAFKA_* aliases)."""
    names = set()
    for name, field in Settings.model_fields.items():
        names.add(f"NEWS_INGEST_{name.upper()}")
        alias = field.validation_alias
        names.update(getattr(alias, "choices", []) if alias is not None else [])
    return {str(n) for n in names}


def renamed(doc: Any, path: list[str | int], new_key: str) -> Any:
    """A deep copy of `doc` with the key at `path` renamed to `new_key` (a typo a user could make)."""
    mutated = copy.deepcopy(doc)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    parent[new_key] = parent.pop(path[-1])
    return mutated
