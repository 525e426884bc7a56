"""The fast tier: the accurate tagger cut to a few of its layers, distilled on its own soft labels.

Why this student: it reads the same pieces as the teacher (one tokenizer, one runtime path and one
ONNX layout in the tag stage) and starts from the teacher's own fine-tuned layers (`kept_layers`: the
lowest ones or evenly spaced), so it begins close to the teacher instead of from scratch; the cost
per piece falls with the layers kept. None tried reached the fast tier's 0.80 (docs/entities.md).
A convolutional student over the encoder's frozen piece vectors (PCA to 128) was tried first and
scored 0.60 on GermEval dev after one epoch: the piece vectors before any attention carry too
little context.

Trained on gold sentences (GermEval, UNER English with MISC from its 2022 draft) and on the teacher's
soft labels (its label distribution per word) over unlabelled text: Bundestag speeches and the dev
pages' annotated text (see training/corpus.py for sources and licences).

    python -m training.student --layers 2 --bundestag PATH/TO/plenarsitzungsprotokolle.git \
        --uner-draft-train en_ewt-ud-train.draft.iob2 --silver 60000
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from transformers import XLMRobertaConfig

from training import corpus
from training.labels import score
from training.train_tagger import Tagger, batches, collate, encode, partial_loss, predict
from training.vocab import load_vocab
from workers.stages.tag import words as cut
from workers.stages.tag.encoder import EncoderTagger

SILVER_MAX_WORDS = 60


def kept_layers(total: int, keep: int, pick: str) -> list[int]:
    """Which `keep` of the teacher's `total` layers the student keeps: the lowest ones (`bottom`: each
    layer still reads what it was trained on; the classifier adapts to the new top) or `spaced`
    evenly from the first to the last (DistilBERT's recipe)."""
    if pick == "bottom":
        return list(range(keep))
    if keep == 1:
        return [total - 1]
    return [round(i * (total - 1) / (keep - 1)) for i in range(keep)]


def encoder_student(teacher_state: dict[str, torch.Tensor], model_config: dict[str, Any], layers: int,
                    pick: str) -> Tagger:
    """The teacher cut to `layers` transformer layers, its embeddings and classifier kept."""
    chosen = kept_layers(int(model_config["num_hidden_layers"]), layers, pick)
    state: dict[str, torch.Tensor] = {}
    for key, value in teacher_state.items():
        found = re.match(r"roberta\.encoder\.layer\.(\d+)\.(.*)", key)
        if found is None:
            state[key] = value
        elif int(found.group(1)) in chosen:
            state[f"roberta.encoder.layer.{chosen.index(int(found.group(1)))}.{found.group(2)}"] = value
    model = Tagger(XLMRobertaConfig(**{**model_config, "num_hidden_layers": layers}))
    model.load_state_dict(state)
    model.roberta.embeddings.word_embeddings.weight.requires_grad_(False)
    return model


def unlabelled_sentences(data_dir: Path, bundestag: Path | None, limit: int, seed: int) -> list[list[str]]:
    """Tokenised sentences of unlabelled German and English text, shuffled, at most `limit`."""
    texts: list[str] = []
    for name in ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz"):
        texts.extend(s for row in corpus.rows(data_dir / name) for s in row["with"])
    texts.extend(row["expected_body"] for row in corpus.rows(data_dir / "extraction_fundus_eval.jsonl.gz"))
    if bundestag is not None:
        texts.extend(corpus.bundestag_texts(bundestag, every=6))
    found: list[list[str]] = []
    for text in texts:  # cut as the tag stage cuts text at run time
        for begin, end in cut.sentences(text):
            tokens = [text[s:e] for s, e in cut.words(text, begin, end)]
            if 4 <= len(tokens) <= SILVER_MAX_WORDS:
                found.append(tokens)
    random.Random(seed).shuffle(found)
    return found[:limit]


def soft_loss(logits: torch.Tensor, batch: list[Any]) -> torch.Tensor:
    """Cross-entropy against the teacher's label distribution of each word (silver items)."""
    logp = torch.log_softmax(logits, dim=-1)
    terms = []
    for row, item in enumerate(batch):
        if item[3] is None:
            continue
        first = torch.tensor([p for p in item[1] if p >= 0], dtype=torch.long)
        target = torch.from_numpy(item[3][[i for i, p in enumerate(item[1]) if p >= 0]])
        if len(first):
            terms.append(-(target * logp[row, first]).sum(-1))
    return torch.cat(terms).mean() if terms else logits.sum() * 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--bundestag", type=Path)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache/news-ingest/ner")
    parser.add_argument("--teacher", type=Path, default=Path("workers/models/ner-accurate"))
    parser.add_argument("--uner-draft-train", type=Path,
                        help="UNER's 2022 draft en_ewt-ud-train.iob2 (OTH tags): English MISC learnt from it")
    parser.add_argument("--silver", type=int, default=20000, help="unlabelled sentences the teacher labels")
    parser.add_argument("--layers", type=int, default=2, help="transformer layers the student keeps")
    parser.add_argument("--pick", choices=("bottom", "spaced"), default="bottom", help="which layers (kept_layers)")
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--init", type=Path, default=Path.home() / ".cache/news-ingest/ner/init.safetensors",
                        help="the teacher's torch weights (training.from_onnx), which the encoder student starts from")
    parser.add_argument("--out-name", default="student", help="folder under --work for this run")
    parser.add_argument("--eval-every", type=int, default=0, help="steps between dev evaluations (0: each epoch)")
    parser.add_argument("--vocab", default="vocab-latin", help="vocabulary folder under --work (the shipped one)")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--budget", type=int, default=2048)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    work = args.work / args.out_name
    work.mkdir(parents=True, exist_ok=True)
    (work / "arch.json").write_text(json.dumps({"layers": args.layers, "pick": args.pick}))

    vocab = load_vocab(args.work / args.vocab)
    tok = Tokenizer.from_file(str(args.work / args.vocab / "tokenizer.json"))
    teacher = EncoderTagger(args.teacher, threads=args.threads)
    gold_de = corpus.sentences(args.data_dir, corpus.GERMEVAL_TRAIN)
    gold_en = corpus.sentences(args.data_dir, corpus.UNER, "ewt-train")
    if args.uner_draft_train:  # English MISC as labelled, instead of the O-or-MISC partial labels
        gold_en = corpus.with_draft_misc(gold_en, corpus.uner_draft(args.uner_draft_train))
    silver_path = args.work / f"silver-{args.silver}.npz"  # shared by runs: the teacher labels once
    if silver_path.exists():
        stored = np.load(silver_path, allow_pickle=True)
        silver, silver_probs = list(stored["tokens"]), list(stored["probs"])
    else:
        silver = unlabelled_sentences(args.data_dir, args.bundestag, args.silver, args.seed)
        started = time.monotonic()
        silver_probs = []
        for start in range(0, len(silver), 512):
            silver_probs.extend(teacher.word_distributions(silver[start:start + 512]))
            if start % 10240 == 0:
                print(f"teacher: {start}/{len(silver)} sentences, {time.monotonic() - started:.0f} s", flush=True)
        np.savez(silver_path, tokens=np.array(silver, dtype=object), probs=np.array(silver_probs, dtype=object))
    print(f"gold {len(gold_de) + len(gold_en)}, silver {len(silver)} sentences", flush=True)

    # gold sentences teach through their labels, silver ones through the teacher's distribution
    items: list[Any] = []
    # English O may be MISC (released UNER has no MISC) unless the draft's MISC spans were merged in
    english = [False] * len(gold_de) + [not args.uner_draft_train] * len(gold_en)
    for (words, tags), partial in zip(gold_de + gold_en, english, strict=True):
        ids, first, allowed = encode(tok, vocab.char_table, words, tags, partial_misc=partial)
        items.append((ids, first, allowed, None))
    for words, probs in zip(silver, silver_probs, strict=True):
        ids, first, _ = encode(tok, vocab.char_table, list(words), None, partial_misc=False)
        items.append((ids, first, None, np.asarray(probs, dtype=np.float32)))
    dev = {"de-dev": corpus.sentences(args.data_dir, corpus.GERMEVAL_DEV),
           "en-ewt-dev": corpus.sentences(args.data_dir, corpus.UNER, "ewt-dev")}
    dev_items = {k: ([encode(tok, vocab.char_table, w, None, False) for w, _ in v], [t for _, t in v])
                 for k, v in dev.items()}

    model = encoder_student(load_file(str(args.init)), vocab.model_config, args.layers, args.pick)
    head = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    body = [p for n, p in model.named_parameters() if not n.startswith("classifier") and p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
                                  weight_decay=0.01)
    per_epoch = len(batches(items, args.budget, random.Random(args.seed)))
    total = math.ceil(per_epoch * args.epochs)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min((s + 1) / 200, (total - s) / total))
    step, best, history = 0, -1.0, []
    tick = time.monotonic()
    while step < total:
        for batch in batches(items, args.budget, random.Random(args.seed * 1000 + step // per_epoch)):
            ids, mask, _ = collate(batch)
            logits = model(ids, mask)
            gold = [b for b in batch if b[2] is not None]
            loss = soft_loss(logits, batch)
            if gold:
                rows = [i for i, b in enumerate(batch) if b[2] is not None]
                loss = loss + partial_loss(logits[rows], gold)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad(set_to_none=True)
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{total} loss {loss.item():.4f} {(time.monotonic() - tick) / 50:.2f} s/step",
                      flush=True)
                tick = time.monotonic()
            if step % (args.eval_every or per_epoch) == 0 or step == total:
                result = {k: score(g, predict(model, v)) for k, (v, g) in dev_items.items()}
                history.append({"step": step, "epoch": round(step / per_epoch, 2), **result})
                print(json.dumps(history[-1]), flush=True)
                figure = (result["de-dev"]["ALL"]["f1"] + result["en-ewt-dev"]["ALL"]["f1"]) / 2
                if figure > best:
                    best = figure
                    weights = {k: v.contiguous() for k, v in model.state_dict().items()}
                    save_file(weights, str(work / "best.safetensors"))
                (work / "history.json").write_text(json.dumps(history, indent=1))
            if step >= total:
                break
    print(f"done: best mean dev F1 {best}", flush=True)


if __name__ == "__main__":
    main()
