"""Entity tagging benchmark: exact-span F1 per label, throughput per core and peak memory, beside a baseline.

    python -m bench.entities [--limit N] [--rounds 5] [--check]

Quality: German GermEval 2014 dev split, English UNER ewt-test and pud-test (CoNLL exact-span F1 over
character offsets of `" ".join(tokens)`; the model reads the gold tokens). Speed: the full tag stage
(`workers.stages.tag.run`: title + text, canonical names, summary) on seed-sized articles, one
process, one thread, median of `--rounds` rounds after a warm-up. Baselines, in the same run on the
same data: the capitalisation tagger that stood in before the trained models, and (for F1) a gazetteer
of the training split's entity strings.
`--check` exits 1 when a pinned floor (German F1 0.80, 20 articles/s) is missed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # per-core figures: one BLAS thread
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from bench.devdata import rows, seed_paths
from bench.ner_corpus import ENGLISH, GERMAN, GERMAN_TRAIN, gold_spans, split_rows
from workers.cli.inputs import text_record
from workers.records import Article
from workers.stages.tag import LABELS, TagConfig, pipeline_for, run

FLOOR_DE_F1 = 0.80
FLOOR_ARTICLES_PER_S = 20.0

Span = tuple[int, int, str]

# --- the baseline: capitalised-word runs, labelled by a few suffix rules (the pre-model placeholder) ---
_CANDIDATE = re.compile(r"\b(?:[A-ZÄÖÜ][\w\-]+)(?:\s+[A-ZÄÖÜ][\w\-]+)*")
_ORG_SUFFIX = ("AG", "GmbH", "Inc", "Ltd", "Corp", "NATO", "Nato", "CDU", "SPD", "EU", "UN")
_STOP = {"Der", "Die", "Das", "Den", "Dem", "Des", "Ein", "Eine", "The", "A", "An", "In", "Am", "Im", "Als",
         "Auch", "Er", "Sie", "Es", "Wir", "Zuvor", "Dabei", "Thema", "Bereits", "Erst", "It", "He", "She"}


def baseline_spans(text: str) -> set[Span]:
    found: set[Span] = set()
    for match in _CANDIDATE.finditer(text):
        words = match.group(0).split()
        while words and words[0] in _STOP:
            words = words[1:]
        if words:
            surface = " ".join(words)
            label = "ORG" if words[-1] in _ORG_SUFFIX else ("PER" if len(words) >= 2 else "MISC")
            found.add((match.end() - len(surface), match.end(), label))
    return found


class Gazetteer:
    """Second baseline: every entity string of the training split with its most frequent label, tagged
    by greedy longest match on the tokens (the classic CoNLL "seen entities" baseline)."""

    MAX_LEN = 6

    def __init__(self, sentences: Iterable[dict[str, Any]]) -> None:
        seen: dict[tuple[str, ...], Counter[str]] = {}
        for row in sentences:
            for start, end, label in gold_spans(row["tags"]):
                seen.setdefault(tuple(row["tokens"][start:end]), Counter())[label] += 1
        self.entries = {words: c.most_common(1)[0][0] for words, c in seen.items() if len(words) <= self.MAX_LEN}

    def spans(self, tokens: list[str]) -> set[Span]:
        found: set[Span] = set()
        i = 0
        while i < len(tokens):
            for n in range(min(self.MAX_LEN, len(tokens) - i), 0, -1):
                label = self.entries.get(tuple(tokens[i:i + n]))
                if label:
                    found.add((i, i + n, label))
                    i += n
                    break
            else:
                i += 1
        return found


# --- scoring ---------------------------------------------------------------------------------------
def char_spans(tokens: list[str], token_spans: Iterable[Span]) -> set[Span]:
    """Token spans -> character spans over `" ".join(tokens)`."""
    starts, pos = [], 0
    for token in tokens:
        starts.append(pos)
        pos += len(token) + 1
    return {(starts[s], starts[e - 1] + len(tokens[e - 1]), label) for s, e, label in token_spans}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)


def score(gold: list[set[Span]], pred: list[set[Span]]) -> dict[str, tuple[float, float, float, int]]:
    """Micro P/R/F1 and gold support, overall (`ALL`) and per label."""
    counts: dict[str, Counter[str]] = {}
    for g, p in zip(gold, pred, strict=True):
        for span in g | p:
            c = counts.setdefault(span[2], Counter())
            c["tp" if span in g and span in p else ("fn" if span in g else "fp")] += 1
    total: Counter[str] = sum(counts.values(), Counter())
    table = {lab: (*prf(c["tp"], c["fp"], c["fn"]), c["tp"] + c["fn"]) for lab, c in sorted(counts.items())}
    table["ALL"] = (*prf(total["tp"], total["fp"], total["fn"]), total["tp"] + total["fn"])
    return table


def model_spans(nlp: Any, sentences: list[dict[str, Any]]) -> list[set[Span]]:
    from spacy.tokens import Doc  # noqa: PLC0415

    docs = (Doc(nlp.vocab, words=row["tokens"]) for row in sentences)
    return [char_spans(row["tokens"], {(e.start, e.end, e.label_) for e in doc.ents if e.label_ in LABELS})
            for row, doc in zip(sentences, nlp.pipe(docs, batch_size=256), strict=True)]


def quality(cfg: TagConfig, name: str, lang: str, sentences: list[dict[str, Any]],
            gazetteer: Gazetteer) -> float:
    gold = [char_spans(row["tokens"], gold_spans(row["tags"])) for row in sentences]
    nlp = pipeline_for(lang, cfg)
    runs: list[tuple[str, list[set[Span]]]] = [
        ("gazetteer", [char_spans(row["tokens"], gazetteer.spans(row["tokens"])) for row in sentences]),
        ("capitalisation", [baseline_spans(" ".join(row["tokens"])) for row in sentences])]
    if nlp is not None:
        runs.insert(0, ("model", model_spans(nlp, sentences)))
    model_f1 = 0.0
    print(f"\n## {name}: {len(sentences)} sentences, {sum(len(g) for g in gold)} gold entities")
    print("| tagger | label | P | R | F1 | gold |\n|---|---|---|---|---|---|")
    for tagger, pred in runs:
        for label, (p, r, f, n) in score(gold, pred).items():
            print(f"| {tagger} | {label} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
            if tagger == "model" and label == "ALL":
                model_f1 = f
    return model_f1


# --- speed and memory --------------------------------------------------------------------------------
def seed_articles() -> list[Article]:
    """The German seeds' text, and English articles of the same size built from PUD test sentences."""
    german = [Article(id=p.stem, text=str(text_record(p.read_text("utf-8"))["text"]), title=None,
                      language={"code": "de", "confidence": 1.0}) for p in seed_paths()]
    size = statistics.mean(len(a.text) for a in german)
    english: list[Article] = []
    buf: list[str] = []
    for row in split_rows(rows(ENGLISH), "pud-test"):
        buf.append(" ".join(row["tokens"]))
        if sum(len(s) + 1 for s in buf) >= size:
            english.append(Article(id=f"pud-{len(english)}", text=" ".join(buf), title=None,
                                   language={"code": "en", "confidence": 1.0}))
            buf = []
            if len(english) == 8:
                break
    return german + english


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median (CPU seconds, wall seconds) of one call. CPU time of this one-thread process is the
    per-core cost, and stays meaningful when other jobs share the machine; wall time is shown beside it."""
    fn()  # warm-up (loads the model once per process)
    cpu, wall = [], []
    for _ in range(rounds):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def speed(cfg: TagConfig, rounds: int) -> float:
    articles = seed_articles()
    print("\n## Throughput per core (tag stage on seed-sized articles; per CPU second, wall in brackets)")
    print("| tagger | lang | articles | chars/article | articles/s | tokens/s |\n|---|---|---|---|---|---|")
    worst = float("inf")
    for lang in ("de", "en"):
        batch = [a for a in articles if a.language and a.language["code"] == lang] * 10
        nlp = pipeline_for(lang, cfg)
        tokens = sum(len(nlp.make_doc(a.text)) for a in batch) if nlp else 0
        chars = statistics.mean(len(a.text) for a in batch)
        for tagger, fn in (("model", lambda b=batch: [run(a, cfg) for a in b]),
                           ("capitalisation", lambda b=batch: [baseline_spans(a.text) for a in b])):
            cpu, wall = timed(fn, rounds)
            print(f"| {tagger} | {lang} | {len(batch)} | {chars:.0f} | {len(batch) / cpu:.1f} "
                  f"({len(batch) / wall:.1f}) | {tokens / cpu:,.0f} |")
            if tagger == "model":
                worst = min(worst, len(batch) / cpu)
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N sentences per set")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a pinned floor is missed")
    parser.add_argument("--model-dir",
                        help="a directory with ner-<lang>/ pipelines (default: the shipped ones)")
    args = parser.parse_args(argv)
    cfg = TagConfig(model_dir=args.model_dir)

    def cut(xs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return xs[:args.limit] if args.limit else xs

    english = list(rows(ENGLISH))
    gaz_de, gaz_en = Gazetteer(rows(GERMAN_TRAIN)), Gazetteer(split_rows(english, "ewt-train"))
    de_f1 = quality(cfg, "German, GermEval 2014 dev", "de", cut(list(rows(GERMAN))), gaz_de)
    quality(cfg, "English, UNER ewt-test", "en", cut(list(split_rows(english, "ewt-test"))), gaz_en)
    quality(cfg, "English, UNER pud-test", "en", cut(list(split_rows(english, "pud-test"))), gaz_en)
    per_s = speed(cfg, args.rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (both models loaded, all runs): {peak_mb:.0f} MB")
    ok = de_f1 >= FLOOR_DE_F1 and per_s >= FLOOR_ARTICLES_PER_S
    print(f"floors: German F1 {de_f1:.3f} >= {FLOOR_DE_F1}, slowest {per_s:.1f} articles/s >= "
          f"{FLOOR_ARTICLES_PER_S}: {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
