"""Entity tagging benchmark: both tiers and the previous model, in one run, on the same data.

    python -m bench.entities [--limit N] [--rounds 3] [--previous REV] [--uner-draft FILE] [--check]

Quality (CoNLL exact span, the model reads the gold tokens): German GermEval 2014 dev (PER/LOC/ORG/MISC;
OTH counted as MISC, `*deriv`/`*part` not entities); English UNER ewt-test and pud-test (PER/LOC/ORG:
UNER has no MISC, so predicted MISC spans are left out of those scores). English MISC, when
`--uner-draft` names UNER's 2022 draft of en_ewt-ud-test.iob2 (it still carries OTH tags; read with
`git show` from UniversalNER/UNER_English-EWT@0c7ce0d), is scored against those OTH spans.
Speed: the whole tag stage (title + text, canonical names, summary) on seed-sized articles, one
process, one thread, CPU seconds (per-core cost; wall time beside it), median of `--rounds`.
Each tagger runs in its own process, so its peak RSS is its own. The previous model (spaCy, before the
encoder) runs from git history (`--previous`, default the last commit that shipped it).
`--check` exits 1 when an acceptance floor of docs/entities.md is missed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # per-core figures

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.devdata import rows, seed_paths
from bench.machine import describe
from training.corpus import uner_draft
from workers.stages.tag.bio import entity_spans

GERMAN, ENGLISH = "ner_de_germeval2014.jsonl.gz", "ner_en_uner.jsonl.gz"
PREVIOUS = "0607fe3"  # the last commit whose tag stage ran the spaCy models
FLOORS = {"accurate": {"de": 0.84, "en": 0.80, "articles_per_s": 4.0},
          "fast": {"de": 0.80, "en": 0.0, "articles_per_s": 20.0}}
Span = tuple[int, int, str]


def gold_spans(tags: list[str]) -> set[Span]:
    """Entities (first token, last token + 1, label), read as the tag stage reads its own tags."""
    return set(entity_spans(tags))


def score(gold: list[set[Span]], pred: list[set[Span]],
          labels: set[str]) -> dict[str, tuple[float, float, float, int]]:
    counts: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for gold_all, pred_all in zip(gold, pred, strict=True):
        g, p = {s for s in gold_all if s[2] in labels}, {s for s in pred_all if s[2] in labels}
        for span in g | p:
            counts[span[2]]["tp" if span in g and span in p else ("fn" if span in g else "fp")] += 1
    total: Counter[str] = sum(counts.values(), Counter())
    out = {}
    for label, c in [*sorted(counts.items()), ("ALL", total)]:
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = (precision, recall, f1, c["tp"] + c["fn"])
    return out


def eval_sets(limit: int, draft: Path | None) -> dict[str, dict[str, Any]]:
    english = list(rows(ENGLISH))

    def cut(xs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return xs[:limit] if limit else xs

    sets = {
        "de GermEval dev": {"lang": "de", "labels": ["PER", "LOC", "ORG", "MISC"], "rows": cut(list(rows(GERMAN)))},
        "en UNER ewt-test": {"lang": "en", "labels": ["PER", "LOC", "ORG"],
                             "rows": cut([r for r in english if r["split"] == "ewt-test"])},
        "en UNER pud-test": {"lang": "en", "labels": ["PER", "LOC", "ORG"],
                             "rows": cut([r for r in english if r["split"] == "pud-test"])},
    }
    if draft:
        drafted = [{"tokens": words, "tags": tags} for words, tags in uner_draft(draft)]
        sets["en UNER ewt-test draft, MISC = OTH"] = {"lang": "en", "labels": ["MISC"], "rows": cut(drafted)}
    return sets


def articles() -> list[dict[str, str]]:
    """The seeds' raw text and English articles of the same size built from PUD test sentences."""
    german = [{"lang": "de", "text": p.read_text("utf-8")} for p in seed_paths()]
    size = statistics.mean(len(a["text"]) for a in german)
    english, buf = [], []
    for row in rows(ENGLISH):
        if row["split"] != "pud-test":
            continue
        buf.append(" ".join(row["tokens"]))
        if sum(len(s) + 1 for s in buf) >= size:
            english.append({"lang": "en", "text": " ".join(buf)})
            buf = []
            if len(english) == len(german) * 4:
                break
    return german * 4 + english


# --- one tagger, in its own process -----------------------------------------------------------------
CHILD = r'''
import json, resource, statistics, sys, time
request = json.load(sys.stdin)
from workers.records import Article
from workers.stages.tag import TagConfig, run
tier = request["tier"]
if tier == "previous":
    from spacy.tokens import Doc
    from workers.stages.tag import LABELS, pipeline_for
    cfg = TagConfig()
    def tag_tokens(lang, sentences):
        nlp = pipeline_for(lang, cfg)
        docs = nlp.pipe((Doc(nlp.vocab, words=t) for t in sentences), batch_size=256)
        return [[(e.start, e.end, e.label_) for e in d.ents if e.label_ in LABELS] for d in docs]
else:
    from workers.stages.tag import tagger_for
    cfg = TagConfig(model=tier)
    def tag_tokens(lang, sentences):
        tagger = tagger_for(cfg, lang)
        out = []
        for start in range(0, len(sentences), 256):
            out.extend(tagger.tag_tokens(sentences[start:start + 256]))
        return out
result = {"spans": {name: tag_tokens(s["lang"], s["sentences"]) for name, s in request["sets"].items()}}
docs = [Article(id=str(i), text=a["text"], title=None, language={"code": a["lang"], "confidence": 1.0})
        for i, a in enumerate(request["articles"])]
speed = {}
for lang in ("de", "en"):
    batch = [d for d in docs if d.language["code"] == lang]
    run(batch[0], cfg)
    cpu, wall = [], []
    for _ in range(request["rounds"]):
        c0, w0 = time.process_time(), time.perf_counter()
        for d in batch:
            run(d, cfg)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    n_words = sum(len(d.text.split()) for d in batch)
    speed[lang] = {"articles": len(batch), "words_per_article": n_words / len(batch),
                   "cpu": statistics.median(cpu), "wall": statistics.median(wall), "words": n_words}
result["speed"] = speed
result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
'''


def run_child(tier: str, request: dict[str, Any], cwd: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if cwd is not None:
        env["PYTHONPATH"] = str(cwd)
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps({**request, "tier": tier}),
                          capture_output=True, text=True, cwd=cwd, env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"{tier} tagger failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().split("\n")[-1])
    return result


def previous_tree(rev: str, into: Path) -> Path:
    """The previous model's code and files, from git history."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(repo), "archive", rev, "workers"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N sentences per set")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tiers", default="accurate,fast,previous")
    parser.add_argument("--previous", default=PREVIOUS, help="git revision of the previous model")
    parser.add_argument("--uner-draft", type=Path, help="UNER's 2022 draft en_ewt-ud-test.iob2 (OTH tags)")
    parser.add_argument("--check", action="store_true", help="exit 1 when an acceptance floor is missed")
    args = parser.parse_args(argv)
    sets = eval_sets(args.limit, args.uner_draft)
    request = {"sets": {name: {"lang": s["lang"], "sentences": [r["tokens"] for r in s["rows"]]}
                        for name, s in sets.items()},
               "articles": articles(), "rounds": args.rounds}
    results: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for tier in args.tiers.split(","):
        if tier == "previous":
            with tempfile.TemporaryDirectory() as tmp:
                results[tier] = run_child(tier, request, previous_tree(args.previous, Path(tmp)))
        else:
            results[tier] = run_child(tier, request)
    ok = True
    for name, s in sets.items():
        gold = [gold_spans(r["tags"]) for r in s["rows"]]
        n_gold = sum(1 for g in gold for span in g if span[2] in s["labels"])
        print(f"\n## {name}: {len(gold)} sentences, {n_gold} gold entities ({'/'.join(s['labels'])})")
        print("| tagger | label | P | R | F1 | gold |\n|---|---|---|---|---|---|")
        for tier, result in results.items():
            pred = [{(a, b, c) for a, b, c in spans} for spans in result["spans"][name]]
            table = score(gold, pred, set(s["labels"]))
            for label, (p, r, f, n) in table.items():
                print(f"| {tier} | {label} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
            floor = FLOORS.get(tier, {}).get(s["lang"], 0.0)
            if name in ("de GermEval dev", "en UNER ewt-test") and table["ALL"][2] < floor:
                ok = False
                print(f"floor missed: {tier} {name} F1 {table['ALL'][2]:.3f} < {floor}")
    print("\n## Tag stage per core on seed-sized articles (CPU seconds; wall in brackets)")
    print(f"CPU: {describe()}")
    print("| tagger | lang | articles | words/article | articles/s | words/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for tier, result in results.items():
        for lang, sp in result["speed"].items():
            per_s = sp["articles"] / sp["cpu"]
            print(f"| {tier} | {lang} | {sp['articles']} | {sp['words_per_article']:.0f} | {per_s:.1f} "
                  f"({sp['articles'] / sp['wall']:.1f}) | {sp['words'] / sp['cpu']:,.0f} | "
                  f"{result['peak_rss_mb']:.0f} |")
            floor = FLOORS.get(tier, {}).get("articles_per_s", 0.0)
            if per_s < floor:
                ok = False
                print(f"floor missed: {tier} {lang} {per_s:.1f} articles/s < {floor}")
    print(f"\nbench took {time.perf_counter() - started:.0f} s; this process peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; floors {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
