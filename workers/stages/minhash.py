"""MinHash sketch of an article: LSH band keys to find candidates, and a shingle sample to verify them.

The signature (rensa's `RMinHash`) is only used to derive band keys: two texts share a band with
probability 1 - (1 - J^r)^b, so low-Jaccard rewrites (the seed pair is J ~ 0.4) still become
candidates. The verdict itself is taken on a bottom-k sample of the shingle hashes (exact when the
text has at most k shingles), which is what the index stores instead of the whole set.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass

from rensa import RMinHash

from workers.stages.shingles import shingle_hashes, shingle_strings, words

_MINHASH_SEED = 1  # part of the stored format: changing it invalidates every indexed band key


@dataclass(frozen=True, slots=True)
class SketchConfig:
    shingle_size: int = 3
    bands: int = 32
    rows: int = 2
    sample_size: int = 256


@dataclass(frozen=True, slots=True)
class Sketch:
    """What the index needs of one text: its band keys, shingle count and shingle sample."""

    shingles: frozenset[int]
    band_keys: tuple[str, ...]
    sample: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.shingles)


def band_keys(signature: list[int], bands: int, rows: int) -> tuple[str, ...]:
    """One key per band: the band number plus a short hash of its `rows` signature values."""
    keys = []
    for band in range(bands):
        chunk = signature[band * rows:(band + 1) * rows]
        digest = hashlib.blake2b(",".join(map(str, chunk)).encode(), digest_size=6).hexdigest()
        keys.append(f"{band}:{digest}")
    return tuple(keys)


def sketch(text: str, cfg: SketchConfig) -> Sketch:
    """Sketch of `text`; empty text gives an empty sketch (no band keys: it never matches)."""
    strings = shingle_strings(words(text), cfg.shingle_size)
    if not strings:
        return Sketch(frozenset(), (), ())
    minhash = RMinHash(num_perm=cfg.bands * cfg.rows, seed=_MINHASH_SEED)
    minhash.update(strings)
    hashes = frozenset(shingle_hashes(strings))
    sample = tuple(heapq.nsmallest(cfg.sample_size, hashes))
    return Sketch(hashes, band_keys(minhash.digest(), cfg.bands, cfg.rows), sample)


def overlap(shingles: frozenset[int], other_sample: list[int], other_size: int) -> float:
    """Estimated |A ∩ B| from A's full set and B's bottom-k sample (exact when B's sample is B)."""
    if not other_sample or other_size <= 0:
        return 0.0
    found = sum(1 for h in other_sample if h in shingles)
    if len(other_sample) >= other_size:
        return float(found)
    return found / len(other_sample) * other_size
