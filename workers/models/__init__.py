"""The NER models shipped inside the package (built by `training/`, see docs/entities.md), one per tier.

`ner-accurate` is the fine-tuned multilingual e5-small encoder; `ner-fast`, a student distilled
from it over the same piece vocabulary, is not shipped yet (docs/entities.md, Known limits). The
directories are not importable names, so packaging treats them as data.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
TIERS = ("accurate", "fast")
MODEL_FILES = ("model.onnx", "tokenizer.json", "chars.json", "meta.json")


def model_path(tier: str, base: Path | None = None) -> Path:
    """The folder of one tier's model (whether or not its files are there: the loader says what is missing)."""
    if tier not in TIERS:
        raise ValueError(f"unknown NER model {tier!r}; choose from {TIERS}")
    return (base or MODELS_DIR) / f"ner-{tier}"
