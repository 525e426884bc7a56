"""Dedup stage: exact (text fingerprint, canonical URL) and near (MinHash LSH) duplicates, story clusters.

The index is any mutable mapping of str -> JSON value: a Faust table (RocksDB + changelog) in the
worker, a dict in `news-ingest enrich`. The verdict depends only on the index and the article,
never on the driver or the clock, so both drivers give the same verdicts for the same order.

Index layout (every value is JSON, so the table changelog can store it):
- `a:<id>`  the article: published time `p`, shingle count `n`, sample `s` (base64 uint32s), band keys `b`,
            fingerprint `f`, url key `u`, cluster `c`, and the verdict `v` it was given (redelivery
            of the same id returns that verdict: at-least-once input, idempotent output)
- `f:<fingerprint>`, `u:<url key>`  -> id of the first indexed article with that text / URL
- `b:<band key>`  -> ids of indexed articles in that LSH bucket (newest last, bounded)
- `q:<seq>` -> id in arrival order, `m:` queue head/tail, count and watermark (newest published
           time seen); eviction walks the queue from its head (retention window of `published_at`
           counted back from the watermark, and a size bound)
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from workers.records import Article
from workers.stages.dedup.minhash import Sketch, SketchConfig, overlap, pack_sample, sketch, unpack_sample
from workers.stages.dedup.shingles import words
from workers.stages.dedup.urlcanon import url_key

Index = MutableMapping[str, Any]

_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class DedupConfig:
    retention_days: float = 7.0
    max_articles: int = 1_000_000
    sketch: SketchConfig = field(default_factory=SketchConfig)  # shingles, LSH bands x rows, sample size
    # near verdict: share of the shorter text's shingles found in the other (catches truncation to
    # the lead and rewrites with different surrounding paragraphs) ...
    min_containment: float = 0.5
    # ... and at least this many shared shingles, so a one-line text cannot match everything
    min_shared: int = 12
    max_bucket: int = 64
    evict_per_article: int = 4


def fingerprint(text: str | list[str]) -> str:
    """Exact-duplicate key: case, punctuation, whitespace and spelling variants do not make a new story."""
    tokens = words(text) if isinstance(text, str) else text
    return hashlib.sha1(" ".join(tokens).encode("utf-8"), usedforsecurity=False).hexdigest()


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()  # never the host's zone


def published_ts(article: Article) -> float | None:
    """When the story was published: `published_at`, else the crawler's `fetched_at` hint."""
    return _timestamp(article.published_at) or _timestamp(article.hints.get("fetched_at"))


@dataclass(frozen=True, slots=True)
class _Match:
    id: str
    published: float | None
    similarity: float
    cluster_id: str


def _live(entry: Any, horizon: float | None) -> bool:
    """An indexed article counts until its published time leaves the retention window (undated: always)."""
    return horizon is None or entry["p"] is None or bool(entry["p"] >= horizon)


@dataclass(frozen=True, slots=True)
class _Probe:
    """The incoming article as the index sees it."""

    id: str
    sketch: Sketch
    fingerprint: str
    url_key: str | None
    published: float | None


def _earliest(matches: list[_Match]) -> _Match:
    """The earliest published copy is the original; ties go to the more similar, then the smaller id."""
    return min(matches, key=lambda m: (m.published if m.published is not None else float("inf"),
                                       -m.similarity, m.id))


def _exact(probe: _Probe, index: Index, horizon: float | None) -> _Match | None:
    sk = probe.sketch
    for key in (f"f:{probe.fingerprint}", f"u:{probe.url_key}" if probe.url_key else None):
        if key is None:
            continue
        other = index.get(key)
        entry = index.get(f"a:{other}") if other and other != probe.id else None
        if entry is not None and _live(entry, horizon):
            shared = overlap(sk.shingles, unpack_sample(entry.get("s", "")), entry.get("n", 0))
            similarity = 1.0 if key[0] == "f" else round(min(shared / max(sk.size, entry.get("n", 0), 1), 1.0), 4)
            return _Match(str(other), entry["p"], similarity, entry["c"])
    return None


def _near(probe: _Probe, index: Index, horizon: float | None, cfg: DedupConfig) -> _Match | None:
    sk = probe.sketch
    seen: set[str] = {probe.id}
    matches: list[_Match] = []
    for band in sk.band_keys:
        for other in index.get(f"b:{band}") or ():
            if other in seen:
                continue
            seen.add(other)
            entry = index.get(f"a:{other}")
            if entry is None or "s" not in entry or not _live(entry, horizon):
                continue
            shared = overlap(sk.shingles, unpack_sample(entry["s"]), entry["n"])
            containment = shared / max(min(sk.size, entry["n"]), 1)
            if shared >= cfg.min_shared and containment >= cfg.min_containment:
                matches.append(_Match(other, entry["p"], round(min(containment, 1.0), 4), entry["c"]))
    return _earliest(matches) if matches else None


def _verdict(status: str, match: _Match | None, own_id: str) -> dict[str, Any]:
    if match is None:
        return {"status": "unique", "of": None, "similarity": None, "cluster_id": own_id}
    return {"status": status, "of": match.id, "similarity": match.similarity, "cluster_id": match.cluster_id}


def _meta(index: Index) -> dict[str, Any]:
    return dict(index.get("m:") or {"head": 0, "tail": 0, "n": 0, "wm": None})


def _forget(article_id: str, index: Index) -> bool:
    """Remove one article and every key that points at it; False when it was not there."""
    entry = index.pop(f"a:{article_id}", None)
    if entry is None:
        return False
    for key in (f"f:{entry.get('f')}", f"u:{entry.get('u')}"):
        if index.get(key) == article_id:
            del index[key]
    for band in entry.get("b", ()):
        members = [m for m in index.get(f"b:{band}") or () if m != article_id]
        if members:
            index[f"b:{band}"] = members
        else:
            index.pop(f"b:{band}", None)
    return True


def _evict(meta: dict[str, Any], index: Index, cfg: DedupConfig) -> None:
    """Drop up to `evict_per_article` of the oldest arrivals that left the window or exceed the bound.

    A few per insert keeps the work per record small and constant (no stop-the-world sweep).
    """
    horizon = _horizon(meta, cfg)
    for _ in range(cfg.evict_per_article):
        if meta["head"] >= meta["tail"]:
            return
        oldest = index.get(f"q:{meta['head']}")
        entry = index.get(f"a:{oldest}") if oldest is not None else None
        if entry is not None and meta["n"] <= cfg.max_articles and _live(entry, horizon):
            return
        index.pop(f"q:{meta['head']}", None)
        meta["head"] += 1
        if oldest is not None and _forget(oldest, index):
            meta["n"] -= 1


def _claim(key: str, article_id: str, index: Index) -> None:
    """Point `key` at this article unless a live article holds it already."""
    holder = index.get(key)
    if holder is None or index.get(f"a:{holder}") is None:
        index[key] = article_id


def _record(probe: _Probe, verdict: dict[str, Any], meta: dict[str, Any], index: Index, *,
            searchable: bool, banded: bool, cfg: DedupConfig) -> None:
    sk = probe.sketch
    entry: dict[str, Any] = {"p": probe.published, "c": verdict["cluster_id"], "v": verdict}
    if searchable:
        bands = list(sk.band_keys) if banded else []
        entry.update(n=sk.size, s=pack_sample(sk.sample), b=bands, f=probe.fingerprint, u=probe.url_key)
        _claim(f"f:{probe.fingerprint}", probe.id, index)
        if probe.url_key:
            _claim(f"u:{probe.url_key}", probe.id, index)
        for band in bands:
            members = [m for m in index.get(f"b:{band}") or () if m != probe.id]
            index[f"b:{band}"] = [*members[-(cfg.max_bucket - 1):], probe.id]
    index[f"a:{probe.id}"] = entry
    index[f"q:{meta['tail']}"] = probe.id
    meta["tail"] += 1
    meta["n"] += 1


def _horizon(meta: dict[str, Any], cfg: DedupConfig) -> float | None:
    return meta["wm"] - cfg.retention_days * _DAY if meta["wm"] is not None else None


def run(article: Article, index: Index, cfg: DedupConfig) -> Article:
    """Give `article` its duplicate verdict against `index` and record it there.

    `of` is the earliest-published indexed copy (a late arrival that was published earlier than the
    copies already seen still points at the earliest of those; events already sent are never
    rewritten). Near copies join the cluster of their original, so a story keeps one `cluster_id`.
    """
    known = index.get(f"a:{article.id}")
    if known is not None and "v" in known:
        return dataclasses.replace(article, duplicate=dict(known["v"]))

    meta = _meta(index)
    published = published_ts(article)
    if published is not None and (meta["wm"] is None or published > meta["wm"]):
        meta["wm"] = published
    horizon = _horizon(meta, cfg)

    tokens = words(article.text)
    probe = _Probe(article.id, sketch(tokens, cfg.sketch), fingerprint(tokens), url_key(article.url),
                   published)
    exact = _exact(probe, index, horizon) if probe.sketch.size else None
    # a text with fewer shingles than a near verdict needs can share that many with nothing, either
    # way round: it skips the band lookups and stays out of the buckets (short flashes of one
    # template would otherwise fill every bucket and make each lookup check the whole cap)
    near_possible = probe.sketch.size >= cfg.min_shared
    if exact is not None:
        verdict = _verdict("exact", exact, article.id)
    else:
        near = _near(probe, index, horizon, cfg) if near_possible else None
        verdict = _verdict("near", near, article.id)

    # exact copies add nothing for later copies (the original is indexed), nor do articles that
    # are already outside the window; both keep only their verdict, for redelivery
    in_window = published is None or horizon is None or published >= horizon
    searchable = exact is None and probe.sketch.size > 0 and in_window
    _record(probe, verdict, meta, index, searchable=searchable, banded=near_possible, cfg=cfg)
    _evict(meta, index, cfg)
    index["m:"] = meta
    return dataclasses.replace(article, duplicate=verdict)
