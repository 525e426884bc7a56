"""Dedup benchmark: pairwise P/R/F1 on the near-duplicate dev set; throughput and state size vs index size.

`python -m bench.dedup [--quality-only] [--sizes 10000,100000]`. The stage runs over a dict index,
exactly as in `news-ingest enrich`; the state size is the JSON bytes of every key and value, which
is what the Faust table stores in RocksDB and its changelog.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

import orjson

from bench.dedup_devset import _paragraphs, _sentences, load_or_build
from workers.records import Article
from workers.stages.dedup import DedupConfig, run

FLOORS = {"precision": 0.97, "recall": 0.90}


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}  # type: ignore[misc]


def quality(docs: list[dict[str, Any]], cfg: DedupConfig) -> dict[str, Any]:
    """Stream the dev set through the stage in its (shuffled) order; compare clusters with stories."""
    index: dict[str, Any] = {}
    cluster: dict[str, str] = {}
    status: Counter[str] = Counter()
    for doc in docs:
        verdict = run(Article(id=doc["id"], text=doc["text"], published_at=doc["published_at"]), index, cfg).duplicate
        assert verdict is not None
        cluster[doc["id"]] = verdict["cluster_id"]
        status[verdict["status"]] += 1
    truth: dict[str, list[str]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        truth[doc["story"]].append(doc["id"])
        predicted[cluster[doc["id"]]].append(doc["id"])
    gold, found = _pairs(truth), _pairs(predicted)
    tp = len(gold & found)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    story_of = {d["id"]: d["story"] for d in docs}
    for doc in docs:
        if doc["kind"] == "copy":
            hit = cluster[doc["id"]] == cluster[story_of[doc["id"]]]
            for op in doc["ops"]:
                by_op[op][0] += hit
                by_op[op][1] += 1
    return {"docs": len(docs), "stories": len(truth), "gold_pairs": len(gold), "found_pairs": len(found), "tp": tp,
            "precision": precision, "recall": recall, "f1": f1, "status": dict(status),
            "copy_recall_by_op": {op: f"{h}/{n}" for op, (h, n) in sorted(by_op.items())}}


def synthetic_stream(docs: list[dict[str, Any]], seed: int) -> Any:
    """Endless distinct articles: 12-25 random real sentences each, one new story per article."""
    rng = random.Random(seed)
    pool = [s for d in docs if d["kind"] == "original" for p in _paragraphs(d["text"]) for s in _sentences(p)
            if len(s.split()) >= 6]
    n = 0
    while True:
        text = "\n\n".join(rng.sample(pool, rng.randint(12, 25)))
        ts = 1_767_225_600 + n * 6  # 10 articles a minute: 100k fit in the 7-day window
        published = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
        yield Article(id=f"syn-{n}", text=text, url=f"https://site{n % 50}.example/a/{n}", published_at=published)
        n += 1


def state_bytes(index: dict[str, Any]) -> int:
    return sum(len(orjson.dumps(k)) + len(orjson.dumps(v)) for k, v in index.items())


class CountingIndex(dict[str, Any]):
    """A dict index that counts article-record reads: the candidates verified, plus one per article."""

    reads = 0

    def get(self, key: str, default: Any = None) -> Any:
        if key.startswith("a:"):
            self.reads += 1
        return super().get(key, default)


def scale(docs: list[dict[str, Any]], cfg: DedupConfig, sizes: list[int]) -> list[dict[str, Any]]:
    """Throughput over the last 2,000 articles before each size, and the state size at that size."""
    index = CountingIndex()
    stream = synthetic_stream(docs, seed=7)
    out, done, window = [], 0, 2000
    for size in sizes:
        while done < size - window:
            run(next(stream), index, cfg)
            done += 1
        batch = [next(stream) for _ in range(size - done)]
        reads = index.reads
        started = time.perf_counter()
        for article in batch:
            run(article, index, cfg)
        elapsed = time.perf_counter() - started
        done = size
        total = state_bytes(index)
        out.append({"indexed": size, "articles_per_s": len(batch) / elapsed, "ms_per_article":
                    elapsed / len(batch) * 1000, "state_mb": total / 1e6, "bytes_per_article": total / size,
                    "keys": len(index), "reads_per_article": (index.reads - reads) / len(batch)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--min-containment", type=float, default=None)
    parser.add_argument("--shingle-size", type=int, default=None)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come
    cfg = DedupConfig()
    if args.min_containment is not None:
        cfg = dataclasses.replace(cfg, min_containment=args.min_containment)
    if args.shingle_size is not None:
        cfg = dataclasses.replace(cfg, sketch=dataclasses.replace(cfg.sketch, shingle_size=args.shingle_size))
    docs = load_or_build()
    print(f"config: {cfg}")
    q = quality(docs, cfg)
    print(f"dev set: {q['docs']} docs, {q['stories']} stories, {q['gold_pairs']} true pairs, "
          f"{q['found_pairs']} predicted pairs, {q['tp']} correct")
    print(f"pairwise precision {q['precision']:.4f}  recall {q['recall']:.4f}  F1 {q['f1']:.4f}  "
          f"(floors: precision >= {FLOORS['precision']}, recall >= {FLOORS['recall']})")
    print(f"verdicts: {q['status']}")
    print(f"copy joins its story's cluster, by transformation: {q['copy_recall_by_op']}")
    failed = [k for k, floor in FLOORS.items() if q[k] < floor]
    if not args.quality_only:
        sizes = [int(s) for s in args.sizes.split(",")]
        rows = scale(docs, cfg, sizes)
        for r in rows:
            print(f"indexed {r['indexed']:>7,}: {r['articles_per_s']:7.0f} articles/s ({r['ms_per_article']:.2f} ms), "
                  f"{r['reads_per_article']:.1f} article-record reads per article, "
                  f"state {r['state_mb']:.1f} MB = {r['bytes_per_article']:.0f} B/article, {r['keys']:,} keys")
        first, last = rows[0], rows[-1]
        slope = (last["ms_per_article"] - first["ms_per_article"]) / max(last["indexed"] - first["indexed"], 1)
        ms_1m = last["ms_per_article"] + slope * (1_000_000 - last["indexed"])
        print(f"extrapolated to 1,000,000 indexed: state ~{last['bytes_per_article'] * 1e6 / 1e9:.2f} GB "
              f"(bytes per article are flat); ~{ms_1m:.1f} ms/article = ~{1000 / ms_1m:.0f} articles/s if the "
              f"time keeps growing linearly as from {first['indexed']:,} to {last['indexed']:,} (upper bound of "
              f"the candidate work: {cfg.sketch.bands} bands x {cfg.max_bucket} bucket members)")
    if failed:
        raise SystemExit(f"below floor: {failed}")


if __name__ == "__main__":
    main()
