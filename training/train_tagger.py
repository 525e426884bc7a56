"""Fine-tune the e5-small encoder for PER/LOC/ORG/MISC tagging on GermEval 2014 and Universal NER English.

One multilingual model for both languages. English has no MISC gold (UNER tags PER/LOC/ORG only), so an
English word tagged O may be O or MISC: its loss is the negative log of the probability of that set
(partial labels), and English MISC comes from the German OTH class through the shared encoder.
The word-embedding table stays frozen: the pruned vocabulary keeps pieces that the training text never
uses, and their rows stay in the pretrained space the fine-tuned layers expect.

Resumable: a checkpoint (model, optimiser, schedule, step) is written every `--save-every` steps and
the run continues from it; the batch order is a function of the seed and epoch only.

    python -m training.train_tagger --data-dir ../shared/data --work ~/.cache/news-ingest/ner
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
from transformers import XLMRobertaConfig, XLMRobertaModel

from training import corpus
from training.labels import LABEL_ID, LABELS, score
from training.vocab import load_vocab

MAX_PIECES = 126       # per sentence, plus <s> and </s>
PARTIAL_O = [LABEL_ID["O"], LABEL_ID["B-MISC"], LABEL_ID["I-MISC"]]


class Tagger(nn.Module):
    def __init__(self, config: XLMRobertaConfig) -> None:
        super().__init__()
        self.roberta = XLMRobertaModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(config.hidden_size, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.roberta(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.classifier(self.dropout(hidden))


def encode(tok: Tokenizer, table: dict[int, str], words: list[str], tags: list[str] | None,
           partial_misc: bool) -> tuple[list[int], list[int], list[list[int]]]:
    """Piece ids, the piece index of each word's first piece (-1: no piece), allowed labels per word."""
    cleaned = [w.translate(table).strip() or "" for w in words]
    ids: list[int] = [0]
    first: list[int] = []
    allowed: list[list[int]] = []
    for i, word in enumerate(cleaned):
        pieces = tok.encode([word], is_pretokenized=True).ids if word else []
        if not pieces or len(ids) + len(pieces) > MAX_PIECES + 1:
            first.append(-1)
        else:
            first.append(len(ids))
            ids.extend(pieces)
        tag = tags[i] if tags else "O"
        allowed.append(PARTIAL_O if partial_misc and tag == "O" else [LABEL_ID[tag]])
    ids.append(2)
    return ids, first, allowed


def batches(items: list[Any], budget: int, rng: random.Random) -> list[list[Any]]:
    """Length-bucketed batches of about `budget` padded pieces, in random order."""
    order = items[:]
    rng.shuffle(order)
    out: list[list[Any]] = []
    for start in range(0, len(order), 2000):
        group = sorted(order[start:start + 2000], key=lambda x: len(x[0]))
        batch: list[Any] = []
        for item in group:
            if batch and (len(batch) + 1) * len(item[0]) > budget:
                out.append(batch)
                batch = []
            batch.append(item)
        if batch:
            out.append(batch)
    rng.shuffle(out)
    return out


def collate(batch: list[Any]) -> tuple[torch.Tensor, torch.Tensor, list[Any]]:
    width = max(len(x[0]) for x in batch)
    ids = torch.full((len(batch), width), 1, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, item in enumerate(batch):
        ids[row, :len(item[0])] = torch.tensor(item[0])
        mask[row, :len(item[0])] = 1
    return ids, mask, batch


def partial_loss(logits: torch.Tensor, batch: list[Any]) -> torch.Tensor:
    logp = torch.log_softmax(logits, dim=-1)
    rows, cols, labels, groups = [], [], [], []
    group = 0
    for r, (_, first, allowed, *_rest) in enumerate(batch):
        for pos, labs in zip(first, allowed, strict=True):
            if pos < 0:
                continue
            for lab in labs:
                rows.append(r)
                cols.append(pos)
                labels.append(lab)
                groups.append(group)
            group += 1
    picked = logp[torch.tensor(rows), torch.tensor(cols), torch.tensor(labels)]
    index = torch.tensor(groups)
    # log of the summed probability of each word's allowed labels
    maxes = torch.full((group,), -1e9).scatter_reduce(0, index, picked, reduce="amax")
    summed = torch.zeros(group).scatter_add(0, index, torch.exp(picked - maxes[index]))
    return -(maxes + torch.log(summed)).mean()


def predict(model: nn.Module, items: list[Any], budget: int = 4000) -> list[list[str]]:
    model.eval()
    out: dict[int, list[str]] = {}
    indexed = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    with torch.no_grad():
        start = 0
        while start < len(indexed):
            width = len(items[indexed[min(start + 63, len(indexed) - 1)]][0])
            size = max(1, min(64, budget // max(width, 1)))
            chunk = indexed[start:start + size]
            ids, mask, _ = collate([items[i] for i in chunk])
            best = model(ids, mask).argmax(-1)
            for row, i in enumerate(chunk):
                first = items[i][1]
                out[i] = [LABELS[int(best[row, p])] if p >= 0 else "O" for p in first]
            start += size
    model.train()
    return [out[i] for i in range(len(items))]


def evaluate(model: Tagger, sets: dict[str, tuple[list[Any], list[list[str]]]]) -> dict[str, Any]:
    return {name: score(gold, predict(model, items)) for name, (items, gold) in sets.items()}


def _by_position(state: dict[str, Any], optimiser: torch.optim.Optimizer, names: dict[int, str]) -> dict[str, Any]:
    """The saved optimiser state, re-indexed to this run's parameter order.

    Optimiser state is keyed by position, and that order follows the model class: another
    `transformers` version lists the embedding tables in another order. Checkpoints name their
    parameters (`param_names`); older ones are matched by shape, in order within each shape.
    """
    saved = state["optimiser"]
    new_groups = [[names[id(p)] for p in g["params"]] for g in optimiser.param_groups]
    remapped: dict[int, Any] = {}
    for group, saved_group, new_names in zip(optimiser.param_groups, saved["param_groups"], new_groups, strict=True):
        old_ids = saved_group["params"]
        if "param_names" in state:
            old_names = state["param_names"][saved["param_groups"].index(saved_group)]
            where = dict(zip(old_names, old_ids, strict=True))
            pairs = [(where[n], i) for n, i in zip(new_names, group["params"], strict=True)]
        else:
            by_shape: dict[tuple[int, ...], list[int]] = {}
            for old in old_ids:
                by_shape.setdefault(tuple(saved["state"][old]["exp_avg"].shape), []).append(old)
            pairs = [(by_shape[tuple(p.shape)].pop(0), p) for p in group["params"]]
        for old, param in pairs:
            remapped[id(param)] = saved["state"][old]
    flat = [p for g in optimiser.param_groups for p in g["params"]]
    position = {id(p): i for i, p in enumerate(flat)}
    return {"state": {i: remapped[id(p)] for i, p in enumerate(flat) if id(p) in remapped},
            "param_groups": [{**sg, "params": [position[id(p)] for p in g["params"]]}
                             for sg, g in zip(saved["param_groups"], optimiser.param_groups, strict=True)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache/news-ingest/ner")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--budget", type=int, default=640, help="padded pieces per batch")
    parser.add_argument("--save-every", type=int, default=300)
    parser.add_argument("--eval-every", type=int, default=900)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--uner-draft-train", type=Path,
                        help="UNER's 2022 draft en_ewt-ud-train.iob2 (OTH tags): English MISC learnt from it")
    parser.add_argument("--init", type=Path,
                        help="start from these weights instead of the pretrained encoder (training.from_onnx)")
    parser.add_argument("--max-minutes", type=float, default=0, help="stop (resumably) after this long")
    parser.add_argument("--keep-evals", action="store_true",
                        help="also keep the weights of every evaluation (step-N.safetensors): the shipped path "
                             "(int8, best valid BIO sequence) may rank them differently from this fp32 argmax")
    parser.add_argument("--english-repeat", type=int, default=1,
                        help="English sentences this many times per epoch (12,543 of them against 24,000 German)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.monotonic()

    vocab = load_vocab(args.work / "vocab")
    tok = Tokenizer.from_file(str(args.work / "vocab" / "tokenizer.json"))
    table = vocab.char_table
    de_train = corpus.sentences(args.data_dir, corpus.GERMEVAL_TRAIN)
    en_train = corpus.sentences(args.data_dir, corpus.UNER, "ewt-train")
    train = [encode(tok, table, w, t, False) for w, t in de_train]
    if args.uner_draft_train:  # English MISC as labelled, instead of the O-or-MISC partial labels
        en_train = corpus.with_draft_misc(en_train, corpus.uner_draft(args.uner_draft_train))
    train += [encode(tok, table, w, t, not args.uner_draft_train) for w, t in en_train] * args.english_repeat
    dev = {
        "de-dev": corpus.sentences(args.data_dir, corpus.GERMEVAL_DEV),
        "en-ewt-dev": corpus.sentences(args.data_dir, corpus.UNER, "ewt-dev"),
    }
    dev_sets = {k: ([encode(tok, table, w, None, False) for w, _ in v], [t for _, t in v]) for k, v in dev.items()}
    print(f"train {len(train)} sentences ({len(de_train)} de, {len(en_train)} en)", flush=True)

    config = XLMRobertaConfig(**vocab.model_config)
    model = Tagger(config)
    if args.init:  # every weight, the frozen word table included (training.from_onnx)
        model.load_state_dict(load_file(str(args.init)))
    else:
        model.roberta.load_state_dict({k.removeprefix("roberta."): v for k, v in
                                       load_file(str(args.work / "vocab" / "encoder.safetensors")).items()})
    model.roberta.embeddings.word_embeddings.weight.requires_grad_(False)
    head = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    body = [p for n, p in model.named_parameters() if not n.startswith("classifier") and p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
                                  weight_decay=0.01)
    per_epoch = len(batches(train, args.budget, random.Random(args.seed)))
    total = math.ceil(per_epoch * args.epochs)
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))

    state_path = args.work / "checkpoint.pt"
    names = {id(p): n for n, p in model.named_parameters()}
    step, best, history = 0, -1.0, []
    if state_path.exists():
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(_by_position(state, optimiser, names))
        schedule.load_state_dict(state["schedule"])
        step, best, history = state["step"], state["best"], state["history"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step}/{total}, best {best}", flush=True)

    def save() -> None:
        tmp = state_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                    "param_names": [[names[id(p)] for p in g["params"]] for g in optimiser.param_groups],
                    "schedule": schedule.state_dict(), "step": step, "best": best, "history": history,
                    "torch_rng": torch.get_rng_state()}, tmp)
        tmp.replace(state_path)

    model.train()
    tick, losses = time.monotonic(), []
    while step < total:
        epoch, offset = divmod(step, per_epoch)
        order = batches(train, args.budget, random.Random(args.seed * 1000 + epoch))
        for batch in order[offset:]:
            ids, mask, items = collate(batch)
            loss = partial_loss(model(ids, mask), items)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad(set_to_none=True)
            losses.append(loss.item())
            step += 1
            if step % 50 == 0:
                rate = (time.monotonic() - tick) / 50
                print(f"step {step}/{total} epoch {step / per_epoch:.2f} loss {np.mean(losses):.4f} "
                      f"{rate:.2f} s/step", flush=True)
                tick, losses = time.monotonic(), []
            if step % args.eval_every == 0 or step == total:
                result = evaluate(model, dev_sets)
                figure = (result["de-dev"]["ALL"]["f1"] + result["en-ewt-dev"]["ALL"]["f1"]) / 2
                history.append({"step": step, "epoch": round(step / per_epoch, 3), **result})
                print(json.dumps(history[-1]), flush=True)
                weights = {k: v.contiguous() for k, v in model.state_dict().items()}
                if args.keep_evals:
                    save_file(weights, str(args.work / f"step-{step}.safetensors"))
                if figure > best:
                    best = figure
                    save_file(weights, str(args.work / "best.safetensors"))
                (args.work / "history.json").write_text(json.dumps(history, indent=1))
            if step % args.save_every == 0 or step == total:
                save()
            if args.max_minutes and time.monotonic() - started > args.max_minutes * 60:
                save()
                print(f"stopped at step {step} after {args.max_minutes} minutes; run again to resume", flush=True)
                return
            if step >= total:
                break
    print(f"done: {step} steps, best mean dev F1 {best}", flush=True)


if __name__ == "__main__":
    main()
