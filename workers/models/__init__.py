"""The NER pipelines shipped inside the package (trained by `scripts/train_ner.py`), one per language.

The directories are named `ner-<lang>` (not importable names), so packaging treats them as data.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent


def model_path(lang: str, base: Path | None = None) -> Path | None:
    """The directory of the shipped pipeline for `lang`, or None when none ships for that language."""
    path = (base or MODELS_DIR) / f"ner-{lang}"
    return path if (path / "config.cfg").is_file() else None
