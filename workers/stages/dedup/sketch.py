"""What the index keeps of a text (about 650 bytes), and how a new text is compared with it.

A copy is either most of its original (sentences dropped, a paragraph added, other chrome) or its
lead (syndicators cut to the first paragraphs). So the stored sketch has two parts:

- `lead`: the hashes of the first `lead_size` distinct prose shingles, all of them: the overlap
  with a lead copy is counted exactly, however long the original is;
- `sample`: the other shingles whose hash is below 2^32 / 2^level, the level chosen per text so
  that at most `sample_size` remain. Sampling by hash value is coordinated: a shingle two texts
  share is sampled in both or in neither, so the count scaled by 2^level estimates the overlap
  (relative error about 1/sqrt(hits)).

The incoming text (the probe) is compared with its full shingle set, so the estimate of
|probe ∩ stored| = lead hits + 2^level * sample hits is unbiased in both directions: a long
probe against a short stored copy (exact: a short text is all lead) and a short probe against a
long stored original.

Candidates are found through a few *anchor* hashes per text, all taken from the sketch (so the
in-memory posting index can be rebuilt from stored sketches alone): the lead hashes whose low two
bits are zero plus the two smallest lead hashes (a lead copy shares about a quarter of its lead
shingles as anchors), and the `sample_anchors` smallest sample hashes (bottom-k, shared by texts
that share most of their shingles).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workers.stages.dedup.shingles import shingle_hashes

Hashes = npt.NDArray[np.uint32]

_FORMAT = 1
# format, flags, level, lead count, sample count, n, published, fingerprint, URL key, id and cluster lengths
_HEAD = struct.Struct("<BBBBHIdQQBB")


@dataclass(frozen=True, slots=True)
class SketchConfig:
    shingle_size: int = 3
    lead_size: int = 64
    sample_size: int = 96
    sample_anchors: int = 8


@dataclass(frozen=True, slots=True)
class Sketch:
    """The stored part: shingle count, the lead hashes, the sampled rest and its level."""

    n: int
    lead: Hashes
    sample: Hashes
    level: int

    def anchors(self, cfg: SketchConfig) -> Hashes:
        lead = self.lead
        picked = lead[(lead & np.uint32(3)) == 0]
        smallest = np.sort(lead)[:2]
        rest = np.sort(self.sample)[:cfg.sample_anchors]
        return np.unique(np.concatenate([picked, smallest, rest]))


def _segmented(values: Hashes, segments: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """`segment << 32 | value`: one sort orders by segment, then value."""
    return (segments.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64)


def _smallest_per_segment(keyed: npt.NDArray[np.uint64], k: int) -> npt.NDArray[np.uint64]:
    """The `k` smallest values of every segment (keyed by `_segmented`)."""
    keyed = np.sort(keyed)
    segments = keyed >> np.uint64(32)
    starts = np.flatnonzero(np.concatenate(([True], segments[1:] != segments[:-1]))) if len(keyed) else \
        np.empty(0, np.int64)
    rank = np.arange(len(keyed)) - np.repeat(starts, np.diff(np.append(starts, len(keyed))))
    return keyed[rank < k]


def segment_anchors(lead: Hashes, lead_segment: npt.NDArray[np.int64], sample: Hashes,
                    sample_segment: npt.NDArray[np.int64], cfg: SketchConfig) -> tuple[Hashes,
                                                                                     npt.NDArray[np.int64]]:
    """`Sketch.anchors` of many sketches at once, from their leads and samples laid end to end with the
    sketch each value belongs to: (anchors, sketch) sorted by sketch, then value. Rebuilding the posting
    index of a million records this way takes seconds; one `anchors` call per record took minutes."""
    keyed_lead = _segmented(lead, lead_segment)
    picked = keyed_lead[(lead & np.uint32(3)) == 0]
    both = np.sort(np.concatenate((picked, _smallest_per_segment(keyed_lead, 2),
                                   _smallest_per_segment(_segmented(sample, sample_segment), cfg.sample_anchors))))
    both = both[np.concatenate(([True], both[1:] != both[:-1]))] if len(both) else both
    return (both & np.uint64(0xFFFFFFFF)).astype(np.uint32), (both >> np.uint64(32)).astype(np.int64)


def build(hashes: Hashes, cfg: SketchConfig) -> Sketch:
    """The sketch of a text from its distinct shingle hashes in text order."""
    lead = hashes[:cfg.lead_size]
    rest = np.sort(hashes[cfg.lead_size:])
    level = 0
    while len(rest) > cfg.sample_size:  # halve the threshold until at most sample_size remain
        level += 1
        rest = rest[:int(np.searchsorted(rest, np.uint64(1) << np.uint64(32 - level)))]
    return Sketch(len(hashes), lead.copy(), rest, level)


@dataclass(slots=True)
class Probe:
    """An incoming text as the index compares it: its sorted full shingle set and its sketch."""

    full: Hashes  # sorted distinct hashes
    sketch: Sketch
    _low: dict[int, set[int]] | None = None
    _set: set[int] | None = None

    @property
    def n(self) -> int:
        return self.sketch.n

    def members(self) -> set[int]:
        if self._set is None:
            self._set = set(self.full.tolist())
        return self._set

    def below(self, level: int) -> set[int]:
        """The probe's hashes under a sample level's threshold (the only ones a sample can hold)."""
        if self._low is None:
            self._low = {}
        got = self._low.get(level)
        if got is None:
            cut = int(np.searchsorted(self.full, np.uint64(1) << np.uint64(32 - level))) if level else len(self.full)
            got = self._low[level] = set(self.full[:cut].tolist())
        return got


def probe_of(text: str, cfg: SketchConfig) -> tuple[Probe, Hashes]:
    """The probe of a text, and the hashes of its normalised words (for the exact fingerprint)."""
    hashes, word_hashes = shingle_hashes(text, cfg.shingle_size)
    return Probe(np.sort(hashes), build(hashes, cfg)), word_hashes


def shared_estimate(probe: Probe, lead: list[int], sample: list[int], level: int) -> float:
    """Estimated |probe ∩ stored|: lead overlap counted, sample overlap scaled by 2^level."""
    members = probe.members()
    hits = sum(1 for h in lead if h in members)
    if sample:
        low = probe.below(level)
        hits += sum(1 for h in sample if h in low) * (1 << level)
    return float(hits)


@dataclass(frozen=True, slots=True)
class Stored:
    """One index record, decoded: who the article is and, when searchable, its sketch."""

    id: str
    cluster: str
    published: float | None
    n: int
    fp: int
    url: int
    level: int
    lead: list[int]
    sample: list[int]
    searchable: bool
    verdict: bytes

    def anchors(self, cfg: SketchConfig) -> Hashes:
        sk = Sketch(self.n, np.asarray(self.lead, np.uint32), np.asarray(self.sample, np.uint32), self.level)
        return sk.anchors(cfg)


def pack(article_id: str, cluster: str, published: float | None, fp: int, url: int,  # noqa: PLR0917
         sketch: Sketch | None, verdict: bytes) -> bytes:
    """Binary record (little-endian): header, id, cluster, lead and sample as uint32, then the verdict JSON."""
    ident, clus = article_id.encode("utf-8")[:255], cluster.encode("utf-8")[:255]
    lead = sketch.lead if sketch is not None else np.empty(0, np.uint32)
    sample = sketch.sample if sketch is not None else np.empty(0, np.uint32)
    head = _HEAD.pack(_FORMAT, 1 if sketch is not None else 0, sketch.level if sketch else 0, len(lead), len(sample),
                      sketch.n if sketch else 0, math.nan if published is None else published, fp, url,
                      len(ident), len(clus))
    return b"".join((head, ident, clus, lead.astype("<u4").tobytes(), sample.astype("<u4").tobytes(), verdict))


@dataclass(frozen=True, slots=True)
class Header:
    """What rebuilding the posting index needs of a record: the lead and sample stay raw bytes
    (`<u4`), joined for all records and decoded once."""

    id: str
    cluster: str
    published: float | None
    fp: int
    url: int
    searchable: bool
    n: int
    lead: bytes
    sample: bytes


def unpack_header(data: bytes) -> Header:
    fmt, flags, _level, n_lead, n_sample, n, published, fp, url, n_id, n_clus = _HEAD.unpack_from(data)
    if fmt != _FORMAT:
        raise ValueError(f"dedup index record of format {fmt}, expected {_FORMAT}")
    at = _HEAD.size
    ident = data[at:at + n_id].decode("utf-8")
    cluster = data[at + n_id:at + n_id + n_clus].decode("utf-8")
    at += n_id + n_clus
    return Header(ident, cluster, None if math.isnan(published) else published, fp, url, bool(flags & 1), n,
                  data[at:at + 4 * n_lead], data[at + 4 * n_lead:at + 4 * (n_lead + n_sample)])


def unpack(data: bytes) -> Stored:
    fmt, flags, level, n_lead, n_sample, n, published, fp, url, n_id, n_clus = _HEAD.unpack_from(data)
    if fmt != _FORMAT:
        raise ValueError(f"dedup index record of format {fmt}, expected {_FORMAT}")
    at = _HEAD.size
    ident = data[at:at + n_id].decode("utf-8")
    at += n_id
    cluster = data[at:at + n_clus].decode("utf-8")
    at += n_clus
    lead = list(struct.unpack_from(f"<{n_lead}I", data, at))
    at += 4 * n_lead
    sample = list(struct.unpack_from(f"<{n_sample}I", data, at))
    at += 4 * n_sample
    return Stored(ident, cluster, None if math.isnan(published) else published, n, fp, url, level, lead, sample,
                  bool(flags & 1), data[at:])
