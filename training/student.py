"""The fast tier: a convolutional tagger distilled from the accurate one.

Why this student: it reads the same pieces as the teacher (one tokenizer, one runtime path in the tag
stage), starts from the teacher's own knowledge of words (the encoder's embedding table, reduced to
`--dim` by PCA and kept frozen, so pieces unseen in training keep pretrained neighbours), and costs a
few convolutions per piece instead of twelve attention layers.

Trained on gold sentences (GermEval, UNER English with the O-or-MISC partial labels) and on the
teacher's soft labels (its label distribution per word) over gold and unlabelled text: Bundestag
speeches and the dev pages' annotated text (see training/corpus.py for sources and licences).

    python -m training.student --work ~/.cache/news-ingest/ner --teacher workers/models/ner-accurate
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn

from training import corpus
from training.labels import LABELS, score
from training.train_tagger import batches, collate, encode, partial_loss, predict
from training.vocab import load_vocab
from workers.stages.tag import words as cut
from workers.stages.tag.encoder import EncoderTagger

SILVER_MAX_WORDS = 60


def neighbourhood(x: torch.Tensor, kernel: int) -> torch.Tensor:
    """Each position's `kernel` neighbours side by side: a 1-D convolution becomes one matrix product,
    which ONNX Runtime runs in int8 (its int8 Conv kernel is slower than fp32 on CPU)."""
    pad = kernel // 2
    padded = torch.nn.functional.pad(x, (0, 0, pad, pad))
    return torch.cat([padded[:, i:i + x.shape[1]] for i in range(kernel)], dim=-1)


class ConvTagger(nn.Module):
    """Frozen piece vectors -> residual 1-D convolutions -> label logits per piece."""

    def __init__(self, table: torch.Tensor, width: int = 256, depth: int = 4, kernel: int = 5) -> None:
        super().__init__()
        self.kernel = kernel
        self.embed = nn.Embedding.from_pretrained(table, freeze=True, padding_idx=1)
        self.project = nn.Linear(table.shape[1], width)
        self.convs = nn.ModuleList(nn.Linear(kernel * width, width) for _ in range(depth))
        self.norms = nn.ModuleList(nn.LayerNorm(width) for _ in range(depth))
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(width, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.unsqueeze(-1).to(torch.float32)
        x = self.project(self.embed(ids)) * keep
        for conv, norm in zip(self.convs, self.norms, strict=True):
            y = torch.nn.functional.gelu(conv(neighbourhood(self.dropout(x), self.kernel)))
            x = norm(x + y) * keep
        return self.classifier(self.dropout(x))


def pca_table(weights: torch.Tensor, dim: int) -> torch.Tensor:
    centred = weights - weights.mean(0, keepdim=True)
    _, _, v = torch.pca_lowrank(centred, q=dim, center=False, niter=4)
    reduced = centred @ v[:, :dim]
    return (reduced / reduced.std()).contiguous()


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
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--vocab", default="vocab-latin", help="vocabulary folder under --work (the shipped one)")
    parser.add_argument("--epochs", type=float, default=6.0)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--budget", type=int, default=2048)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    work = args.work / "student"
    work.mkdir(parents=True, exist_ok=True)

    vocab = load_vocab(args.work / args.vocab)
    tok = Tokenizer.from_file(str(args.work / args.vocab / "tokenizer.json"))
    teacher = EncoderTagger(args.teacher, threads=args.threads)
    gold_de = corpus.sentences(args.data_dir, corpus.GERMEVAL_TRAIN)
    gold_en = corpus.sentences(args.data_dir, corpus.UNER, "ewt-train")
    if args.uner_draft_train:  # English MISC as labelled, instead of the O-or-MISC partial labels
        gold_en = corpus.with_draft_misc(gold_en, corpus.uner_draft(args.uner_draft_train))
    silver_path = work / "silver.npz"
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

    table = pca_table(load_file(str(args.work / args.vocab / "encoder.safetensors"))
                      ["roberta.embeddings.word_embeddings.weight"], args.dim)
    model = ConvTagger(table)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    per_epoch = len(batches(items, args.budget, random.Random(args.seed)))
    total = math.ceil(per_epoch * args.epochs)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min((s + 1) / 200, (total - s) / total))
    step, best, history = 0, -1.0, []
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
            optimiser.step()
            schedule.step()
            optimiser.zero_grad(set_to_none=True)
            step += 1
            if step % 200 == 0:
                print(f"step {step}/{total} loss {loss.item():.4f}", flush=True)
            if step % per_epoch == 0 or step == total:
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
