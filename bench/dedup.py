"""Dedup benchmark: quality on the syndication dev set beside an all-pairs baseline; cost at 10k-1M indexed.

`python -m bench.dedup [--quality-only] [--sizes 10000,100000,1000000] [--kafka N]`

Quality: the dev set (`bench/dedup_devset.py`) streamed through the stage in its shuffled order,
twice: on the text as delivered (chrome, titles and sign-offs still in it: the stage alone must
cope) and on what the extract stage makes of it (what the stage sees in the pipeline). Pairwise
precision/recall/F1 over story clusters, hard-negative merge rates per kind, and the same figures
for the offline baseline: exact word 3-shingle Jaccard >= 0.3 over all pairs of the same texts.
`min_containment` is chosen on folds 0-2 (split by site) and reported on folds 3-4.

Cost: synthetic distinct articles of realistic length (150-700 words of Zipf-distributed real
vocabulary in sentences, one in ten a near copy of a recent one), `prepare` (the pool side) and
`judge` (the single writer, batches of 256 over a dict store, as in `news-ingest enrich`) timed
apart on one core; state as the bytes of the store's keys and values and of what the writes send
to a changelog. `--kafka N` also runs the Kafka path (`bench.dedup_kafka`) on N pre-tagged records
beside the offline rate on the same records.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import multiprocessing
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np
import orjson

from bench.dedup_devset import load_or_build
from workers.errors import StageError
from workers.records import Article
from workers.stages.dedup import DedupConfig, DedupIndex, Prepared, prepare

TUNE_FOLDS, TEST_FOLDS = (0, 1, 2), (3, 4)
_BASE_WORD = re.compile(r"\w+", re.UNICODE)


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}  # type: ignore[misc]


def extracted_texts(docs: list[dict[str, Any]]) -> dict[str, str]:
    """What the extract stage makes of each doc's text, in arrival order with per-source profiles (as `enrich`)."""
    from workers.stages.extract import stage as extract  # noqa: PLC0415

    cfg = extract.ExtractConfig()
    profiles: dict[str, Any] = {}
    out: dict[str, str] = {}
    for doc in docs:
        record = orjson.dumps({"id": doc["id"], "text": doc["text"], "source": doc["site"],
                               "published_at": doc["published_at"]})
        source = extract.source_key(record)
        try:
            out[doc["id"]] = extract.run(record, cfg, profiles.get(source) if source else None).text
        except StageError:  # no content: the article would be dead-lettered, it has no text
            out[doc["id"]] = ""
            continue
        if source:
            profiles[source] = extract.learn(record, profiles.get(source), cfg)
    return out


def hard_negatives(docs: list[dict[str, Any]]) -> dict[str, set[tuple[str, str]]]:
    """Pairs of different stories that must stay apart, by kind.

    same_site: originals in one site's template; donor: an article and a copy of another story
    that got a paragraph of it; same_topic: for each original, the other original it shares the
    most word 3-shingles with (at least 3).
    """
    originals = [d for d in docs if d["kind"] == "original"]
    by_site: dict[str, list[str]] = defaultdict(list)
    for d in originals:
        by_site[d["site"]].append(d["id"])
    same_site = _pairs(by_site)
    story_docs: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        story_docs[d["story"]].append(d["id"])
    donor = {tuple(sorted((d["id"], other))) for d in docs for s in d.get("donors", []) for other in story_docs[s]}
    sh = {d["id"]: _base_shingles(d["text"]) for d in originals}
    topic: set[tuple[str, str]] = set()
    for a in originals:
        best, best_n = None, 2
        for b in originals:
            if b["story"] != a["story"]:
                n = len(sh[a["id"]] & sh[b["id"]])
                if n > best_n and (a["site"], b["site"]) not in same_site:
                    best, best_n = b["id"], n
        if best is not None:
            topic.add(tuple(sorted((a["id"], best))))
    return {"same_site": same_site, "same_topic": topic - same_site, "donor": donor}


def _base_shingles(text: str) -> set[tuple[str, ...]]:
    tokens = [t.casefold() for t in _BASE_WORD.findall(text)]
    return {tuple(tokens[i:i + 3]) for i in range(max(len(tokens) - 2, 1))} if tokens else set()


def _scores(gold: set[tuple[str, str]], found: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(gold & found)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "gold": len(gold), "found": len(found)}


def _negative_rates(found: set[tuple[str, str]], negatives: dict[str, set[tuple[str, str]]],
                    ids: set[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for kind, pairs in negatives.items():
        inside = {p for p in pairs if p[0] in ids and p[1] in ids}
        out[kind] = (len(inside & found), len(inside))
    return out


def quality(docs: list[dict[str, Any]], texts: dict[str, str], cfg: DedupConfig,
            negatives: dict[str, set[tuple[str, str]]]) -> dict[str, Any]:
    """Stream `docs` (in order) through the stage; compare its clusters with the stories."""
    index = DedupIndex({}, cfg)
    cluster: dict[str, str] = {}
    status: Counter[str] = Counter()
    for doc in docs:
        article = Article(id=doc["id"], text=texts[doc["id"]], published_at=doc["published_at"])
        verdict = orjson.loads(index.judge([prepare(article, cfg)])[0])
        cluster[doc["id"]] = verdict["cluster_id"]
        status[verdict["status"]] += 1
    truth: dict[str, list[str]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        truth[doc["story"]].append(doc["id"])
        predicted[cluster[doc["id"]]].append(doc["id"])
    gold, found = _pairs(truth), _pairs(predicted)
    by_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc in docs:
        if doc["kind"] == "copy":
            hit = cluster[doc["id"]] == cluster[doc["story"]] if doc["story"] in cluster else False
            for op in doc["ops"]:
                by_op[op][0] += hit
                by_op[op][1] += 1
    return {**_scores(gold, found), "status": dict(status),
            "negatives": _negative_rates(found, negatives, set(cluster)),
            "by_op": {op: f"{h}/{n}" for op, (h, n) in sorted(by_op.items())}}


def baseline(docs: list[dict[str, Any]], texts: dict[str, str],
             negatives: dict[str, set[tuple[str, str]]], threshold: float = 0.3) -> dict[str, Any]:
    """All pairs, exact word 3-shingle Jaccard >= threshold (no index, no sketch): the offline reference."""
    sets = [(_base_shingles(texts[d["id"]]) if texts[d["id"]].strip() else set()) for d in docs]
    inverted: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for sh in s:
            inverted[sh].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in inverted.values():
        if len(members) < 400:  # a shingle in hundreds of texts cannot decide a pair above 0.3 alone
            for a, b in combinations(members, 2):
                shared[(a, b)] += 1
    found = {tuple(sorted((docs[a]["id"], docs[b]["id"]))) for (a, b), n in shared.items()
             if n / (len(sets[a]) + len(sets[b]) - n) >= threshold}
    truth: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        truth[doc["story"]].append(doc["id"])
    gold = _pairs(truth)
    return {**_scores(gold, found), "negatives": _negative_rates(found, negatives, {d["id"] for d in docs})}


def _fmt(name: str, q: dict[str, Any]) -> str:
    neg = ", ".join(f"{k} {m}/{n} ({m / n:.1%})" if n else f"{k} 0/0" for k, (m, n) in q["negatives"].items())
    return (f"  {name:<28} P {q['precision']:.4f}  R {q['recall']:.4f}  F1 {q['f1']:.4f}  "
            f"({q['tp']} of {q['found']} predicted, {q['gold']} true pairs); hard negatives merged: {neg}")


def quality_report(cfg: DedupConfig, grid: list[float]) -> bool:
    docs = load_or_build()
    negatives = hard_negatives(docs)
    print(f"dev set: {len(docs)} docs, {len({d['story'] for d in docs})} stories, "
          f"{sum(d['kind'] == 'copy' for d in docs)} copies; hard-negative pairs: "
          + ", ".join(f"{k} {len(v)}" for k, v in negatives.items()))
    started = time.perf_counter()
    extracted = extracted_texts(docs)
    print(f"extract stage over the dev set: {time.perf_counter() - started:.1f} s")
    ok = True
    for mode, texts in (("as delivered", {d["id"]: d["text"] for d in docs}), ("after extract", extracted)):
        tune = [d for d in docs if d["fold"] in TUNE_FOLDS]
        test = [d for d in docs if d["fold"] in TEST_FOLDS]
        sweep = []
        for c in grid:
            q = quality(tune, texts, dataclasses.replace(cfg, min_containment=c), negatives)
            sweep.append((c, q))
        eligible = [(c, q) for c, q in sweep if q["precision"] >= 0.995] or sweep
        chosen = max(eligible, key=lambda cq: (round(cq[1]["f1"], 3), cq[0]))[0]
        print(f"[{mode}] tuning folds {TUNE_FOLDS}: " + ", ".join(
            f"c={c}: P {q['precision']:.4f} R {q['recall']:.4f}" for c, q in sweep) + f" -> min_containment {chosen}")
        for name, subset in (("tuning folds", tune), ("held-out folds", test), ("all folds", docs)):
            ours = quality(subset, texts, dataclasses.replace(cfg, min_containment=chosen), negatives)
            base = baseline(subset, texts, negatives)
            print(f"[{mode}] {name} ({len(subset)} docs):")
            print(_fmt(f"stage (c >= {chosen})", ours))
            print(_fmt("all-pairs Jaccard >= 0.3", base))
            if name == "held-out folds":
                print(f"  copies that joined their story, by transformation: {ours['by_op']}")
                if mode == "as delivered":
                    neg_ok = all(m <= 0.01 * n for m, n in ours["negatives"].values())
                    ok = ok and ours["precision"] >= 0.995 and ours["recall"] >= max(base["recall"], 0.97) and neg_ok
        if chosen != cfg.min_containment:
            print(f"  note: the shipped default is min_containment {cfg.min_containment}")
    return ok


# --- cost ------------------------------------------------------------------------------------------


_VOCAB: tuple[Any, Any] | None = None


def _vocabulary() -> tuple[Any, Any]:
    """The dev set's 60,000 most frequent words and Zipf weights over their ranks (cached per process)."""
    global _VOCAB  # noqa: PLW0603  (a per-process cache: the pool processes of the fill build it once)
    if _VOCAB is None:
        counts = Counter(w for d in load_or_build() if d["kind"] == "original" for w in _BASE_WORD.findall(d["text"]))
        vocab = np.array([w for w, _ in counts.most_common(60_000)])
        weights = 1 / np.arange(1, len(vocab) + 1, dtype=np.float64) ** 1.05
        _VOCAB = (vocab, weights / weights.sum())
    return _VOCAB


def synthetic_articles(start: int, count: int, seed: int = 7, copy_share: float = 0.1) -> list[Article]:
    """Articles `start`..`start+count` of an endless synthetic stream: realistic length (150-700 words
    in sentences of 8-25) over the dev set's vocabulary with Zipf frequencies, so common phrases
    recur as in news; one in ten is a near copy (a fifth of the sentences dropped) of a recent one.
    Published 100 a minute: a million span the 7-day retention window."""
    vocab, weights = _vocabulary()
    rng = np.random.default_rng((seed, start))
    pick = random.Random(seed * 1_000_003 + start)
    recent: list[str] = []
    out = []
    for n in range(start, start + count):
        published = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_767_225_600 + n * 0.6))
        if recent and pick.random() < copy_share:
            sentences = pick.choice(recent).split(". ")
            text = ". ".join([s for s in sentences if pick.random() > 0.2] or sentences[:1]) + "."
        else:
            words = vocab[rng.choice(len(vocab), size=int(rng.integers(150, 700)), p=weights)]
            cuts = np.cumsum(rng.integers(8, 25, size=80))
            text = ". ".join(" ".join(words[a:b]).capitalize() for a, b in zip([0, *cuts], cuts, strict=False)
                             if a < len(words)) + "."
            recent = [*recent[-199:], text]
        out.append(Article(id=f"syn-{n}", text=text.replace(". ", ".\n\n", 3),
                           url=f"https://site{n % 50}.example/a/{n}", published_at=published))
    return out


def _prepared_chunk(args: tuple[int, int, DedupConfig]) -> list[bytes]:
    start, count, cfg = args
    return [prepare(a, cfg).to_bytes() for a in synthetic_articles(start, count)]


class CountingStore(dict[str, Any]):
    """A dict store that counts what its writes would send to a changelog (key + value, tombstones)."""

    written = 0
    records = 0

    def __setitem__(self, key: str, value: Any) -> None:
        self.written += len(key) + 2 + len(value)
        self.records += 1
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.written += len(key) + 2
        self.records += 1
        super().__delitem__(key)


class _Filler:
    """Stored records for the articles before a measured window, without running the writer on each.

    A pool of really prepared synthetic articles is the template: article i reuses pool article
    i mod len(pool) with its *rare* shingle hashes (seen once in the pool) replaced by fresh ones
    (mixed with i), and its common ones (phrases several pool articles share) kept. So the filled
    index has the length distribution and the common-phrase structure of the stream, while its
    articles stay distinct. The writer then takes the records over exactly as after a restart
    (`DedupIndex.load`, the path the unit tests pin to give the same state as judging one by one).
    """

    def __init__(self, cfg: DedupConfig, pool: list[Prepared]) -> None:
        self.cfg = cfg
        hashes, counts = np.unique(np.concatenate([p.probe.full for p in pool]), return_counts=True)
        common = hashes[counts >= 2]

        def split(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            at = np.minimum(np.searchsorted(common, h), len(common) - 1)
            return h, common[at] == h

        # per template: lead (in order) and the rest, each with its "common" mask
        self.templates = []
        for p in pool:
            lead = p.probe.sketch.lead
            rest = p.probe.full[~np.isin(p.probe.full, lead)]
            self.templates.append((*split(lead), *split(rest)))
        self.rng = np.random.default_rng(11)

    def record(self, i: int) -> bytes:
        from workers.stages.dedup import sketch as sk  # noqa: PLC0415

        lead, lead_keep, rest, rest_keep = self.templates[i % len(self.templates)]
        salt = np.uint64((i * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF)
        mix = np.uint64(0xFF51AFD7ED558CCD)
        lead = np.where(lead_keep, lead, (((lead.astype(np.uint64) ^ salt) * mix) >> np.uint64(32)).astype(np.uint32))
        rest = np.sort(np.where(rest_keep, rest,
                                (((rest.astype(np.uint64) ^ salt) * mix) >> np.uint64(32)).astype(np.uint32)))
        level, sample = 0, rest
        while len(sample) > self.cfg.sketch.sample_size:
            level += 1
            sample = sample[:int(np.searchsorted(sample, np.uint64(1) << np.uint64(32 - level)))]
        sketch = sk.Sketch(len(lead) + len(rest), lead, sample.astype(np.uint32), level)
        article_id = f"fill-{i}"
        verdict = orjson.dumps({"status": "unique", "of": None, "similarity": None, "cluster_id": article_id})
        return sk.pack(article_id, article_id, 1_767_225_600 + i * 0.6, (i << 1) | 1, ((i << 1) | 1) ^ 0x5555,
                       sketch, verdict)


def scale(cfg: DedupConfig, sizes: list[int], *, batch: int = 256, window: int = 5000, rounds: int = 10,
          pool_size: int = 4000) -> list[dict[str, Any]]:
    """Writer rate with `size` articles indexed, for every size at once: the indexes are filled first,
    then `window` stream articles are judged on each in `rounds` interleaved slices, so that the
    shared machine's load swings hit every size alike; the median slice rate is reported."""
    with multiprocessing.get_context("fork").Pool(2) as workers:
        pool = [Prepared.from_bytes(p) for chunk in workers.imap(_prepared_chunk, [
            (s, 1000, cfg) for s in range(50_000_000, 50_000_000 + pool_size, 1000)]) for p in chunk]
    filler = _Filler(cfg, pool)
    runs: dict[int, dict[str, Any]] = {}
    for size in sizes:
        store = CountingStore()
        for i in range(size):
            dict.__setitem__(store, f"s:{i}", filler.record(i))
        dict.__setitem__(store, "m:", orjson.dumps({"head": 0, "tail": size, "n": size,
                                                    "wm": 1_767_225_600 + (size - 1) * 0.6}))
        index = DedupIndex(store, cfg)
        gc.collect()
        started = time.perf_counter()
        index.load()
        rebuild_s = time.perf_counter() - started
        articles = synthetic_articles(size, window)
        started = time.perf_counter()
        ready = [prepare(a, cfg) for a in articles]
        runs[size] = {"store": store, "index": index, "ready": ready, "rates": [], "rebuild_s": rebuild_s,
                      "prepare_per_s": window / (time.perf_counter() - started)}
        print(f"  (filled {size:,}; postings rebuilt from the records in {rebuild_s:.1f} s)", flush=True)
    per_round = window // rounds
    for r in range(rounds):
        for run in runs.values():
            index = run["index"]
            chunk = run["ready"][r * per_round:(r + 1) * per_round]
            if r == 0:
                run["before"] = (index.reads, run["store"].written, run["store"].records)
            started = time.perf_counter()
            for i in range(0, len(chunk), batch):
                index.judge(chunk[i:i + batch])
            run["rates"].append(len(chunk) / (time.perf_counter() - started))
    out = []
    for size, run in runs.items():
        index, store = run["index"], run["store"]
        reads, written, records = run["before"]
        judged = per_round * rounds
        new_keys = [f"s:{seq}" for seq in range(size, size + judged)]
        rates = sorted(run["rates"])
        out.append({"indexed": size, "live": index.meta["n"], "judge_per_s": rates[len(rates) // 2],
                    "judge_min": rates[0], "judge_max": rates[-1], "prepare_per_s": run["prepare_per_s"],
                    "reads": (index.reads - reads) / judged,
                    "store_bytes": sum(len(k) + len(store[k]) for k in new_keys if k in store) / judged,
                    "changelog_bytes": (store.written - written) / judged,
                    "changelog_records": (store.records - records) / judged,
                    "postings_mb": index.postings.nbytes() / 1e6, "postings": len(index.postings),
                    "rebuild_s": run["rebuild_s"], "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    return out


def scale_report(cfg: DedupConfig, sizes: list[int]) -> bool:
    rows = scale(cfg, sizes)
    for r in rows:
        print(f"indexed {r['indexed']:>9,} ({r['live']:,} live records): "
              f"writer (judge) {r['judge_per_s']:7.0f} articles/s (median of the slices; "
              f"{r['judge_min']:.0f}-{r['judge_max']:.0f}), pool side (prepare) {r['prepare_per_s']:6.0f}/s; "
              f"{r['reads']:.2f} record reads/article; store {r['store_bytes']:.0f} B/article; changelog "
              f"{r['changelog_bytes']:.0f} B and {r['changelog_records']:.2f} records per article; postings "
              f"{r['postings']:,} ({r['postings_mb']:.0f} MB); postings rebuilt from the stored records in "
              f"{r['rebuild_s']:.1f} s; peak RSS of the bench so far {r['rss_mb']:.0f} MB")
    first, last = rows[0], rows[-1]
    ratio = last["judge_per_s"] / first["judge_per_s"]
    print(f"writer rate at {last['indexed']:,} / at {first['indexed']:,} indexed: {ratio:.2f}")
    return bool(last["judge_per_s"] >= 2000 and ratio >= 0.8 and last["store_bytes"] <= 1000
                and last["changelog_bytes"] <= 1000)


def offline_rate(values: list[bytes], cfg: DedupConfig, prepare_values: Callable[[list[bytes]], list[Any]]) -> float:
    """Records/s of the dedup stage alone on pre-tagged records, offline: prepare + judge + event, one core."""
    index = DedupIndex({}, cfg)
    started = time.perf_counter()
    for i in range(0, len(values), 256):
        prepared = prepare_values(values[i:i + 256])
        verdicts = index.judge(prepared)
        for p, v in zip(prepared, verdicts, strict=True):
            p.event(v)
    return len(values) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--cost-only", action="store_true")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--grid", default="0.4,0.45,0.5,0.55,0.6")
    parser.add_argument("--kafka", type=int, default=0, help="also run the Kafka path on this many records")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come
    cfg = DedupConfig()
    print(f"config: {cfg}")
    ok = True
    if not args.cost_only:
        ok = quality_report(cfg, [float(g) for g in args.grid.split(",")]) and ok
    if not args.quality_only:
        ok = scale_report(cfg, [int(s) for s in args.sizes.split(",")]) and ok
    if args.kafka:
        from bench.dedup_kafka import kafka_report  # noqa: PLC0415

        ok = kafka_report(args.kafka, cfg) and ok
    print("acceptance:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
