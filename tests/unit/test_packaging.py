"""The wheel (and so the image) carries every package of the source tree."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_setuptools_packages_list_every_package_under_workers() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(Path(d).relative_to(ROOT).parts)  # followlinks: workers/schemas links to schemas/
             for d, _, files in os.walk(ROOT / "workers", followlinks=True) if "__init__.py" in files}
    assert found == listed
