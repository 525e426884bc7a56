"""The NER models shipped inside the package (built by `training/`, see docs/entities.md), one per tier.

`ner-accurate` is the fine-tuned multilingual e5-small encoder; `ner-fast` holds one spaCy CNN
pipeline per language (`de/`, `en/`), distilled from it (training/fast_tagger.py). The directories
are not importable names, so packaging treats them as data.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent
TIERS = ("accurate", "fast")
#: The files each tier's loader needs in one model folder (the fast tier's folder is per language).
MODEL_FILES = {
    "accurate": ("model.onnx", "tokenizer.json", "chars.json", "meta.json"),
    "fast": ("config.cfg", "meta.json", "tok2vec/model", "ner/model", "ner/moves", "vocab/strings.json",
             "vocab/vectors", "vocab/key2row"),
}


def model_path(tier: str, base: Path | None = None) -> Path:
    """The folder of one tier's model (whether or not its files are there: the loader says what is missing)."""
    if tier not in TIERS:
        raise ValueError(f"unknown NER model {tier!r}; choose from {TIERS}")
    return (base or MODELS_DIR) / f"ner-{tier}"
