"""Recover a shipped tagger's weights from its fused int8 ONNX file, as a warm start for more training.

A training run on 2 cores takes hours; its torch checkpoint is not shipped (kept out of git), but the
model is, as `model.onnx`. Its int8 matrices dequantise (per output channel) to within the
quantisation error of the fine-tuned weights, so a new run continues from there instead of from the
pretrained encoder. The frozen word-embedding table is taken from the encoder itself (`vocab/`), not
from the per-tensor int8 copy in the file.

Layout of the fused file (`training/export_onnx.py`: ONNX Runtime's BERT fusion, then
`quantize_dynamic`): per layer one packed `Attention_<i>_qkv_weight` [hidden, 3*hidden] (Q, K, V
side by side) with its bias, then three `MatMul` weights in graph order (attention output,
intermediate, output); the last `MatMul` weight is the classifier. ONNX stores `x @ W`, torch `W @ x`.

    python -m training.from_onnx --model workers/models/ner-accurate/model.onnx \
        --out ~/.cache/news-ingest/ner/init.safetensors
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from safetensors import safe_open
from safetensors.torch import save_file

EMBEDDINGS = "roberta.embeddings.word_embeddings.weight"


def dequantised(tensors: dict[str, np.ndarray], name: str) -> np.ndarray:
    q = tensors[f"{name}_quantized"].astype(np.float32)
    scale = tensors[f"{name}_scale"].astype(np.float32)
    zero = tensors[f"{name}_zero_point"].astype(np.float32)
    return (q - zero) * scale


def recover(model_path: Path, encoder_path: Path) -> dict[str, torch.Tensor]:
    graph = onnx.load(str(model_path)).graph
    tensors = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    quantised = ("_scale", "_quantized", "_zero_point")
    state: dict[str, np.ndarray] = {k: v for k, v in tensors.items()
                                    if k.startswith(("roberta.", "classifier.")) and not k.endswith(quantised)}
    for name in ("position_embeddings", "token_type_embeddings"):
        state[f"roberta.embeddings.{name}.weight"] = dequantised(tensors, f"roberta.embeddings.{name}.weight")
    layers = sorted({int(m.group(1)) for k in tensors if (m := re.match(r"Attention_(\d+)_qkv_weight", k))})
    matmuls = sorted({k.removesuffix("_quantized") for k in tensors if re.match(r"onnx::MatMul_\d+_quantized$", k)},
                     key=lambda k: int(k.split("_")[-1]))
    if len(matmuls) != 3 * len(layers) + 1:
        raise ValueError(f"{len(layers)} attention layers but {len(matmuls)} MatMul weights: not the layout expected")
    hidden = state["roberta.embeddings.LayerNorm.weight"].shape[0]
    for i in layers:
        qkv = dequantised(tensors, f"Attention_{i}_qkv_weight")
        bias = tensors[f"Attention_{i}_qkv_bias"]
        for part, cut in zip(("query", "key", "value"), range(0, 3 * hidden, hidden), strict=True):
            state[f"roberta.encoder.layer.{i}.attention.self.{part}.weight"] = qkv[:, cut:cut + hidden].T
            state[f"roberta.encoder.layer.{i}.attention.self.{part}.bias"] = bias[cut:cut + hidden]
        for suffix, name in zip(("attention.output.dense", "intermediate.dense", "output.dense"),
                                matmuls[3 * i:3 * i + 3], strict=True):
            state[f"roberta.encoder.layer.{i}.{suffix}.weight"] = dequantised(tensors, name).T
    state["classifier.weight"] = dequantised(tensors, matmuls[-1]).T
    out = {k: torch.from_numpy(np.array(v, dtype=np.float32, order="C")) for k, v in state.items()}
    with safe_open(str(encoder_path), framework="pt") as encoder:
        out[EMBEDDINGS] = encoder.get_tensor(EMBEDDINGS)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=Path("workers/models/ner-accurate/model.onnx"))
    parser.add_argument("--encoder", type=Path,
                        default=Path.home() / ".cache/news-ingest/ner/vocab/encoder.safetensors",
                        help="the encoder on the same vocabulary as the model (training.vocab --same-as)")
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache/news-ingest/ner/init.safetensors")
    args = parser.parse_args()
    state = recover(args.model, args.encoder)
    save_file(state, str(args.out))
    print(f"{len(state)} tensors -> {args.out}")


if __name__ == "__main__":
    main()
