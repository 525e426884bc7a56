"""JSON Schemas (2020-12) of the public topics, shipped inside the package as `workers.schemas`."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft202012Validator

SCHEMA_FILES = {"raw": "raw.v1.json", "enriched": "enriched.v1.json", "deadletter": "deadletter.v1.json"}


@cache
def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(resources.files(__package__).joinpath(SCHEMA_FILES[name]).read_bytes())
    return data


@cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator per topic; built once because compiling costs more than validating."""
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)
