"""Dedup stage: exact (text fingerprint, canonical URL) and near duplicates, story clusters.

Two halves, so that the single index writer does little work per article:

- `prepare` (pure, runs in the process pool on the input partitions): the text's shingle hashes,
  sketch, fingerprint, URL key and the enriched event with a hole where the verdict goes.
- `DedupIndex.judge` (the one writer, in arrival order): look the prepared articles up, give each
  its verdict, record them; table writes are collected per batch (one write per changed key).

The store is any mutable mapping str -> bytes: a Faust table (RocksDB + changelog) in the worker,
a dict in `news-ingest enrich`. The verdict depends only on the stored records and the arrival
order, never on the driver, the batch boundaries or the clock.

Store layout (one record per article):
- `s:<seq>`  the article in arrival order: id, cluster, published time, fingerprint and URL key,
             its sketch when it can be matched (`sketch.pack`), and the verdict it was given
             (a redelivery of the same id returns that verdict: at-least-once input, idempotent output)
- `m:`       queue head and tail, count and watermark (newest published time seen), as JSON
The posting index (id, fingerprint, URL and anchor keys -> arrival numbers) lives in memory and
is rebuilt from the `s:` records when a worker takes the index over (`postings`).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import math
import struct
import time
import zlib
from array import array
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from workers.records import Article, enriched_event
from workers.stages.dedup import sketch as sk
from workers.stages.dedup.postings import Postings
from workers.stages.dedup.shingles import shingle_hashes
from workers.stages.dedup.sketch import Probe, Sketch, SketchConfig
from workers.stages.dedup.urlcanon import url_key

Store = MutableMapping[str, Any]

_DAY = 86400.0
# salts keep the id, fingerprint and URL keys apart from the shingle anchors in the posting index
_ID_SALT, _FP_SALT, _URL_SALT = 0x5BD1E995, 0x27D4EB2F, 0x165667B1
_HOLE = b'"duplicate":null'
# records whose anchors the takeover rebuild computes in one vectorised pass (bounds its extra memory
# to ~40 MB whatever the index size)
REBUILD_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class DedupConfig:
    retention_days: float = 7.0
    max_articles: int = 1_000_000
    sketch: SketchConfig = field(default_factory=SketchConfig)
    # near: the estimated shared shingles are at least this share of the shorter text (catches
    # truncation to the lead and copies with other paragraphs around them) ...
    min_containment: float = 0.5
    # ... and at least this many, so a one-line text cannot match everything
    min_shared: int = 8
    max_bucket: int = 12        # newest holders kept per posting key
    max_verify: int = 8         # candidates verified per article, most shared anchors first
    common_key: int = 12        # a key with this many live holders in half as many clusters is ignored
    evict_per_article: int = 4


def fingerprint(text: str) -> int:
    """Exact-duplicate key (64 bits): case, punctuation, whitespace and spelling variants do not make a new story."""
    return _fingerprint(shingle_hashes(text)[1])


def _fingerprint(word_hashes: npt.NDArray[np.uint32]) -> int:
    """Over the hashes of the normalised words in order (0: no words, never a match)."""
    if not len(word_hashes):
        return 0
    digest = hashlib.blake2b(word_hashes.astype("<u4").tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


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


def _url_hash(url: str | None) -> int:
    key = url_key(url)
    return int(key[:16], 16) or 1 if key else 0


# --- the pool half -------------------------------------------------------------------------------

# magic, id len, published, fp, url, full, lead, sample, anchors, level, head, tail
_PREP = struct.Struct("<4sHdQQIHHHBII")
_MAGIC = b"DDP2"
# the layout before the anchors were computed in the pool: what an older worker may have left on the
# index topic during a rolling upgrade (read, never written; the writer then computes the anchors)
_PREP_V1 = struct.Struct("<4sHdQQIHHBII")
_MAGIC_V1 = b"DDP1"


@dataclass(frozen=True, slots=True)
class Prepared:
    """One article as the index writer needs it: keys, probe, anchors, and the event around the verdict.

    The anchors (posting keys of the sketch; empty when the text is too short for a near verdict)
    are computed here, in the pool: the writer only looks them up."""

    id: str
    published: float | None
    fp: int
    url: int
    probe: Probe
    anchors: npt.NDArray[np.uint32] | None  # None: read from a DDP1 record
    event_head: bytes
    event_tail: bytes

    def event(self, verdict: bytes) -> bytes:
        return self.event_head + verdict + self.event_tail

    def to_bytes(self) -> bytes:
        if self.anchors is None:
            raise ValueError("a record read in the DDP1 layout is judged, never written again")
        ident = self.id.encode("utf-8")
        s = self.probe.sketch
        head = _PREP.pack(_MAGIC, len(ident), math.nan if self.published is None else self.published, self.fp,
                          self.url, len(self.probe.full), len(s.lead), len(s.sample),
                          len(self.anchors), s.level,
                          len(self.event_head), len(self.event_tail))
        return b"".join((head, ident, *(a.astype("<u4").tobytes() for a in (self.probe.full, s.lead, s.sample,
                                                                            self.anchors)),
                         self.event_head, self.event_tail))

    @classmethod
    def from_bytes(cls, data: bytes) -> Prepared:
        magic = data[:4]
        if magic == _MAGIC:
            _, n_id, published, fp, url, n_full, n_lead, n_sample, n_anchors, level, n_head, n_tail = \
                _PREP.unpack_from(data)
            at = _PREP.size
        elif magic == _MAGIC_V1:
            _, n_id, published, fp, url, n_full, n_lead, n_sample, level, n_head, n_tail = _PREP_V1.unpack_from(data)
            n_anchors, at = 0, _PREP_V1.size
        else:
            raise ValueError("not a prepared dedup record")
        ident = data[at:at + n_id].decode("utf-8")
        at += n_id
        arrays = []
        for count in (n_full, n_lead, n_sample, n_anchors):
            arrays.append(np.frombuffer(data, "<u4", count, at).astype(np.uint32))
            at += 4 * count
        head = data[at:at + n_head]
        tail = data[at + n_head:at + n_head + n_tail]
        full, lead, sample, anchors = arrays
        probe = Probe(full, Sketch(len(full), lead, sample, level))
        return cls(ident, None if math.isnan(published) else published, fp, url, probe,
                   anchors if magic == _MAGIC else None, head, tail)


def prepare(article: Article, cfg: DedupConfig) -> Prepared:
    """Everything about one article that does not need the index (top-level: it runs in the pool)."""
    started = time.perf_counter()
    probe, word_hashes = sk.probe_of(article.text, cfg.sketch)
    fp = _fingerprint(word_hashes)
    fields = enriched_event(article)
    fields["duplicate"] = None
    fields["provenance"]["timings_ms"] = {**article.timings, "dedup": round((time.perf_counter() - started) * 1000, 3)}
    event = orjson.dumps(fields)
    at = event.index(_HOLE)  # the first one is the top-level key: `duplicate` precedes `metadata` and `meta`
    anchors = probe.sketch.anchors(cfg.sketch) if probe.n >= cfg.min_shared else np.empty(0, np.uint32)
    return Prepared(article.id, published_ts(article), fp, _url_hash(article.url), probe, anchors,
                    event[:at + len(_HOLE) - 4], event[at + len(_HOLE):])


def prepare_bytes(values: list[bytes], cfg: DedupConfig) -> list[bytes | str]:
    """`prepare` over a batch of tagged-article records: the prepared bytes, or the reason a record failed."""
    out: list[bytes | str] = []
    for value in values:
        try:
            out.append(prepare(Article.from_bytes(value), cfg).to_bytes())
        except Exception as exc:  # one bad record must not fail the batch: it is dead-lettered  # noqa: BLE001
            out.append(f"{type(exc).__name__}: {exc}")
    return out


# --- the writer half -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Match:
    id: str
    seq: int
    published: float | None
    similarity: float
    cluster_id: str


def _earliest(matches: list[_Match]) -> _Match:
    """The earliest published copy is the original; ties go to the more similar, then the smaller id."""
    return min(matches, key=lambda m: (m.published if m.published is not None else math.inf, -m.similarity, m.id))


def _verdict(status: str, match: _Match | None, own_id: str) -> dict[str, Any]:
    if match is None:
        return {"status": "unique", "of": None, "similarity": None, "cluster_id": own_id}
    return {"status": status, "of": match.id, "similarity": match.similarity, "cluster_id": match.cluster_id}


class _Ring:
    """Per-article numbers the candidate filter needs without a store read, by arrival number
    (Python arrays: a scalar read is ~40 ns, a numpy scalar read ~1 µs)."""

    def __init__(self) -> None:
        self.published = array("d", [math.nan]) * 1024
        self.anchors = array("B", [0]) * 1024
        self.cluster = array("I", [0]) * 1024

    def _fit(self, head: int, tail: int) -> None:
        size = len(self.published)
        if tail - head < size:
            return
        new = 1 << (tail - head).bit_length()
        published, anchors, cluster = array("d", [math.nan]) * new, array("B", [0]) * new, array("I", [0]) * new
        for seq in range(head, tail):
            old = seq % size
            published[seq % new], anchors[seq % new], cluster[seq % new] = \
                self.published[old], self.anchors[old], self.cluster[old]
        self.published, self.anchors, self.cluster = published, anchors, cluster

    def put(self, seq: int, head: int, published: float | None, anchors: int, cluster: str) -> None:
        self._fit(head, seq + 1)
        at = seq % len(self.published)
        self.published[at] = math.nan if published is None else published
        self.anchors[at] = min(anchors, 255)
        self.cluster[at] = zlib.crc32(cluster.encode("utf-8"))

    def set_anchors(self, seq: int, anchors: int) -> None:
        """The anchor count of an article already `put` (the rebuild learns it after the header)."""
        self.anchors[seq % len(self.anchors)] = min(anchors, 255)


class DedupIndex:
    """The duplicate index over a store: the single writer's state (see the module docstring)."""

    def __init__(self, store: Store, cfg: DedupConfig) -> None:
        self.store = store
        self.cfg = cfg
        self._loaded_tail: int | None = None
        self._pending: dict[str, bytes | None] = {}
        self.reads = 0  # store reads of candidate records (the bench reports them)

    # state -------------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.postings = Postings(self.cfg.max_bucket)
        self.ring = _Ring()
        self.meta: dict[str, Any] = {"head": 0, "tail": 0, "n": 0, "wm": None}

    def load(self) -> None:
        """(Re)build the in-memory postings from the store when it changed under us (or at start)."""
        raw = self.store.get("m:")
        meta: dict[str, Any] = orjson.loads(raw) if raw else {"head": 0, "tail": 0, "n": 0, "wm": None}
        if self._loaded_tail is not None and meta["tail"] == self._loaded_tail:
            return
        self._reset()
        records: list[tuple[int, bytes]] = []
        for key, value in self.store.items():
            if isinstance(key, str) and key.startswith("s:") and value:
                records.append((int(key[2:]), bytes(value)))
        records.sort(key=lambda r: r[0])
        self.meta = dict(meta)
        if records:  # the records are the truth: a crash may have cut a batch's writes short
            self.meta["head"] = records[0][0]
            self.meta["tail"] = max(int(meta["tail"]), records[-1][0] + 1)
            self.meta["n"] = len(records)
        self.postings.head = self.meta["head"]
        self._rebuild(records)
        self._loaded_tail = self.meta["tail"]

    def _rebuild(self, records: list[tuple[int, bytes]]) -> None:
        """The postings and the ring from the stored records: header reads, then the anchors of a chunk
        of records in one vectorised pass (what `_index` does per article), then one sorted run."""
        keys: list[int] = []
        key_seqs: list[int] = []
        anchor_keys: list[npt.NDArray[np.uint32]] = []
        anchor_seqs: list[npt.NDArray[np.int64]] = []
        chunk = REBUILD_CHUNK
        for start in range(0, len(records), chunk):
            leads: list[bytes] = []
            samples: list[bytes] = []
            lead_counts, sample_counts, anchored = [], [], []
            for seq, value in records[start:start + chunk]:
                header = sk.unpack_header(value)
                keys.append(zlib.crc32(header.id.encode("utf-8")) ^ _ID_SALT)
                key_seqs.append(seq)
                if header.searchable:
                    for key, salt in ((header.fp, _FP_SALT), (header.url, _URL_SALT)):
                        if key:
                            keys.append((key & 0xFFFFFFFF) ^ salt)
                            key_seqs.append(seq)
                    if header.n >= self.cfg.min_shared:
                        anchored.append(seq)
                        leads.append(header.lead)
                        samples.append(header.sample)
                        lead_counts.append(len(header.lead) // 4)
                        sample_counts.append(len(header.sample) // 4)
                self.ring.put(seq, self.meta["head"], header.published, 0, header.cluster)
                if header.published is not None and (self.meta["wm"] is None or header.published > self.meta["wm"]):
                    self.meta["wm"] = header.published
            segment = np.arange(len(anchored), dtype=np.int64)
            anchors, owner = sk.segment_anchors(
                np.frombuffer(b"".join(leads), "<u4").astype(np.uint32), np.repeat(segment, lead_counts),
                np.frombuffer(b"".join(samples), "<u4").astype(np.uint32), np.repeat(segment, sample_counts),
                self.cfg.sketch)
            for seq, count in zip(anchored, np.bincount(owner, minlength=len(anchored)).tolist(), strict=True):
                self.ring.set_anchors(seq, count)
            anchor_keys.append(anchors)
            anchor_seqs.append(np.asarray(anchored, np.int64)[owner])
        self.postings.add_run(np.concatenate([np.asarray(keys, np.uint32), *anchor_keys]),
                              np.concatenate([np.asarray(key_seqs, np.int64), *anchor_seqs]))

    def _index(self, seq: int, article_id: str, cluster: str, published: float | None,  # noqa: PLR0917
               fp: int, url: int, anchors: np.ndarray | None, searchable: bool) -> None:
        keys = [zlib.crc32(article_id.encode("utf-8")) ^ _ID_SALT]
        if searchable:
            if fp:
                keys.append((fp & 0xFFFFFFFF) ^ _FP_SALT)
            if url:
                keys.append((url & 0xFFFFFFFF) ^ _URL_SALT)
        all_keys = np.asarray(keys, np.uint32)
        if anchors is not None and len(anchors):
            all_keys = np.concatenate((all_keys, anchors.astype(np.uint32)))
        self.postings.add(all_keys, seq)
        self.ring.put(seq, self.meta["head"], published, 0 if anchors is None else len(anchors), cluster)

    def _get(self, key: str) -> bytes | None:
        if key in self._pending:
            return self._pending[key]
        value = self.store.get(key)
        return bytes(value) if value is not None else None

    def _record(self, seq: int) -> sk.Stored | None:
        self.reads += 1
        raw = self._get(f"s:{seq}")
        return sk.unpack(raw) if raw else None

    def _horizon(self) -> float | None:
        wm = self.meta["wm"]
        return wm - self.cfg.retention_days * _DAY if wm is not None else None

    def _live(self, seq: int, horizon: float | None) -> bool:
        if seq < self.meta["head"]:
            return False
        published = self.ring.published[seq % len(self.ring.published)]
        return horizon is None or math.isnan(published) or published >= horizon  # undated: never expires

    # judging -----------------------------------------------------------------------------------

    def judge(self, batch: list[Prepared]) -> list[bytes]:
        """Verdicts (JSON bytes) for a batch in arrival order; the store is written once per changed key."""
        self.load()
        keys_of = [self._probe_keys(p) for p in batch]
        flat = np.concatenate([k for k, _ in keys_of]) if batch else np.empty(0, np.uint32)
        owner, seqs = self.postings.lookup_runs(flat)
        bounds = np.cumsum([0, *(len(k) for k, _ in keys_of)])
        order = np.argsort(owner, kind="stable")
        owner, seqs = owner[order], seqs[order]
        starts = np.searchsorted(owner, np.arange(len(flat) + 1))
        # only the probed keys that have holders (most have none): one Python step per hit, not per key
        hits = np.flatnonzero(np.diff(starts))
        by_key: list[dict[int, list[int]]] = [{} for _ in batch]
        for k, i in zip(hits.tolist(), (np.searchsorted(bounds, hits, side="right") - 1).tolist(), strict=True):
            by_key[i][int(flat[k])] = seqs[starts[k]:starts[k + 1]].tolist()
        out = []
        for prepared, (keys, n_anchor_keys), found in zip(batch, keys_of, by_key, strict=True):
            out.append(self._judge_one(prepared, keys, n_anchor_keys, found))
        self._flush()
        return out

    def _probe_keys(self, p: Prepared) -> tuple[np.ndarray, int]:
        """id, fingerprint and URL keys, then the anchors (when a near verdict is possible)."""
        head = [zlib.crc32(p.id.encode("utf-8")) ^ _ID_SALT, (p.fp & 0xFFFFFFFF) ^ _FP_SALT if p.fp else None,
                (p.url & 0xFFFFFFFF) ^ _URL_SALT if p.url else None]
        fixed = np.asarray([k if k is not None else _ID_SALT for k in head], np.uint32)
        if p.probe.n >= self.cfg.min_shared:
            anchors = p.anchors if p.anchors is not None else p.probe.sketch.anchors(self.cfg.sketch)
            return np.concatenate((fixed, anchors)), len(anchors)
        return fixed, 0

    def _holders(self, key: int, found: dict[int, list[int]]) -> list[int]:
        """Newest `max_bucket` indexed holders of a key (sealed runs and this batch's memtable), newest first.

        Evicted articles are the oldest, so they sit at the end; articles past the retention
        window but not evicted yet still count here and are skipped when verified.
        """
        seqs = found.get(key)
        mem = self.postings.lookup_mem(key)
        if mem:
            seqs = [*seqs, *mem] if seqs else mem
        if not seqs:
            return []
        seqs = sorted(seqs, reverse=True)[:self.cfg.max_bucket]
        head = self.meta["head"]
        while seqs and seqs[-1] < head:
            seqs.pop()
        return seqs

    def _judge_one(self, p: Prepared, keys: np.ndarray, n_anchors: int, found: dict[int, list[int]]) -> bytes:
        cfg = self.cfg
        key_list = keys.tolist()
        # redelivery: the verdict stored under this id
        for seq in self._holders(key_list[0], found):
            rec = self._record(seq)
            if rec is not None and rec.id == p.id:
                return rec.verdict
        if p.published is not None and (self.meta["wm"] is None or p.published > self.meta["wm"]):
            self.meta["wm"] = p.published
        horizon = self._horizon()
        exact = self._exact(p, key_list, found, horizon) if p.probe.n else None
        near_possible = p.probe.n >= cfg.min_shared
        if exact is not None:
            verdict = _verdict("exact", exact, p.id)
        else:
            near = self._near(p, key_list[3:], n_anchors, found, horizon) if near_possible else None
            verdict = _verdict("near", near, p.id)
        encoded = orjson.dumps(verdict)
        # exact copies add nothing for later copies (the original is indexed), nor do articles that
        # are already outside the window; both keep only their verdict, for redelivery
        in_window = p.published is None or horizon is None or p.published >= horizon
        searchable = exact is None and p.probe.n > 0 and in_window
        seq = self.meta["tail"]
        self._pending[f"s:{seq}"] = sk.pack(p.id, verdict["cluster_id"], p.published, p.fp, p.url,
                                            p.probe.sketch if searchable else None, encoded)
        anchors = key_list[3:] if searchable and near_possible else None
        self._index(seq, p.id, verdict["cluster_id"], p.published, p.fp, p.url,
                    np.asarray(anchors, np.uint32) if anchors is not None else None, searchable)
        self.meta["tail"] += 1
        self.meta["n"] += 1
        self._evict(horizon)
        return encoded

    def _exact(self, p: Prepared, keys: list[int], found: dict[int, list[int]], horizon: float | None) -> _Match | None:
        for key, field_ in ((keys[1], "fp"), (keys[2], "url")):
            if (field_ == "fp" and not p.fp) or (field_ == "url" and not p.url):
                continue
            for seq in sorted(self._holders(key, found)):  # the first indexed copy
                if not self._live(seq, horizon):
                    continue
                rec = self._record(seq)
                if rec is None or not rec.searchable or getattr(rec, field_) != getattr(p, field_):
                    continue
                if field_ == "fp":
                    similarity = 1.0
                else:
                    shared = min(sk.shared_estimate(p.probe, rec.lead, rec.sample, rec.level), p.probe.n, rec.n)
                    similarity = round(min(shared / max(p.probe.n, rec.n, 1), 1.0), 4)
                return _Match(rec.id, seq, rec.published, similarity, rec.cluster)
        return None

    def _near(self, p: Prepared, anchors: list[int], n_anchors: int, found: dict[int, list[int]],
              horizon: float | None) -> _Match | None:
        cfg = self.cfg
        ring_anchors, ring_cluster = self.ring.anchors, self.ring.cluster
        size = len(ring_anchors)
        hits: dict[int, int] = {}
        in_memtable = self.postings.in_memtable
        for key in anchors:
            if key not in found and not in_memtable(key):  # most anchors have no holder: skip the lookup
                continue
            holders = self._holders(key, found)
            # a phrase many stories use ("said on Tuesday", a template line) is no evidence of copying;
            # the copies of one big story all share a cluster, so they keep their keys
            if len(holders) >= cfg.common_key and \
                    len({ring_cluster[s % size] for s in holders}) >= cfg.common_key // 2:
                continue
            for seq in holders:
                hits[seq] = hits.get(seq, 0) + 1
        # one shared anchor is chance unless one side has only a handful of anchors (a short text)
        eligible = [(count, seq) for seq, count in hits.items()
                    if (count >= 2 or min(n_anchors, ring_anchors[seq % size]) <= 6) and self._live(seq, horizon)]
        matches: list[_Match] = []
        for _count, seq in sorted(eligible, reverse=True)[:cfg.max_verify]:
            rec = self._record(seq)
            if rec is None or not rec.searchable or rec.n == 0:
                continue
            shared = min(sk.shared_estimate(p.probe, rec.lead, rec.sample, rec.level), p.probe.n, rec.n)
            containment = shared / max(min(p.probe.n, rec.n), 1)
            if shared >= cfg.min_shared and containment >= cfg.min_containment:
                matches.append(_Match(rec.id, seq, rec.published, round(min(containment, 1.0), 4), rec.cluster))
        return _earliest(matches) if matches else None

    def _evict(self, horizon: float | None) -> None:
        """Drop up to `evict_per_article` of the oldest arrivals that left the window or exceed the bound.

        A few per insert keeps the work per record small and constant (no stop-the-world sweep).
        """
        meta = self.meta
        for _ in range(self.cfg.evict_per_article):
            head = meta["head"]
            if head >= meta["tail"]:
                return
            if meta["n"] <= self.cfg.max_articles and self._live(head, horizon):
                return
            self._pending[f"s:{head}"] = None
            meta["head"] = head + 1
            meta["n"] -= 1
        self.postings.head = meta["head"]

    def _flush(self) -> None:
        """Write the batch's changes: each changed key once, the meta record last."""
        self.postings.head = self.meta["head"]
        for key, value in self._pending.items():
            if value is None:
                if key in self.store:
                    del self.store[key]
            else:
                self.store[key] = value
        self._pending.clear()
        self.store["m:"] = orjson.dumps(self.meta)
        self._loaded_tail = self.meta["tail"]
        self.postings.seal()


class JsonStore(MutableMapping[str, Any]):
    """A store over a plain mapping whose values must stay JSON (base64 text): for callers of `run`
    that keep the index in a dict of their own and serialise it. The worker and `enrich` keep bytes."""

    def __init__(self, data: MutableMapping[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> bytes:
        value = self.data[key]
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)

    def __setitem__(self, key: str, value: bytes) -> None:
        self.data[key] = base64.b64encode(value).decode("ascii")

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def run(article: Article, index: DedupIndex | MutableMapping[str, Any], cfg: DedupConfig | None = None) -> Article:
    """Give one `article` its duplicate verdict against `index` and record it there (a batch of one).

    `index` is a `DedupIndex`, or a plain mapping kept as JSON (`JsonStore`; the postings are then
    rebuilt from it on every call, which is only fit for small indexes and tests).

    `of` is the earliest-published indexed copy (a late arrival that was published earlier than the
    copies already seen still points at the earliest of those; events already sent are never
    rewritten). Near copies join the cluster of their original, so a story keeps one `cluster_id`.
    """
    if not isinstance(index, DedupIndex):
        index = DedupIndex(JsonStore(index), cfg or DedupConfig())
    verdict = index.judge([prepare(article, index.cfg)])[0]
    return dataclasses.replace(article, duplicate=orjson.loads(verdict))
