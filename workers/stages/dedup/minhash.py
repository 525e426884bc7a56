"""MinHash sketch of an article: LSH band keys to find candidates, and a shingle sample to verify them.

The signature (rensa's `RMinHash`) is only used to derive band keys: two texts share a band with
probability 1 - (1 - J^r)^b, so low-Jaccard rewrites (the seed pair is J ~ 0.4) still become
candidates. The verdict itself is taken on a bottom-k sample of the shingle hashes (exact when the
text has at most k shingles), which is what the index stores instead of the whole set.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import os
import struct
from dataclasses import dataclass

# rensa is built with mimalloc, which reserves a 1 GiB arena when the library loads. Pool processes
# forked from this process inherit that address space and run under an address-space cap
# (`NEWS_INGEST_POOL_MEMORY_MB`), so the reservation would eat half of a 2 GiB cap before the first
# page is parsed. A small reserve (read by mimalloc when the library loads) keeps the import at ~80 MB.
os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "64MiB")

from rensa import RMinHash

from workers.stages.dedup.shingles import shingle_strings, words

# Both are part of the stored format: changing the seed, or a rensa release that changes its token
# hash (rensa.RMinHash.ALGORITHM_VERSION, 2 today), invalidates the band keys and samples indexed so far.
_MINHASH_SEED = 1
_MASK32 = 0xFFFFFFFF  # the stored sample keeps 32 bits of rensa's stable 64-bit token hash


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
    chunks = [",".join(map(str, signature[b * rows:(b + 1) * rows])) for b in range(bands)]
    return tuple(f"{b}:{hashlib.blake2b(c.encode(), digest_size=6).hexdigest()}" for b, c in enumerate(chunks))


def sketch(text: str | list[str], cfg: SketchConfig) -> Sketch:
    """Sketch of `text` (or of its `words`); empty text gives an empty sketch that never matches."""
    strings = shingle_strings(words(text) if isinstance(text, str) else text, cfg.shingle_size)
    if not strings:
        return Sketch(frozenset(), (), ())
    minhash = RMinHash(num_perm=cfg.bands * cfg.rows, seed=_MINHASH_SEED)
    minhash.update(strings)
    hashes = frozenset(h & _MASK32 for h in RMinHash.hash_token_sets([strings])[0])
    sample = tuple(heapq.nsmallest(cfg.sample_size, hashes))
    return Sketch(hashes, band_keys(minhash.digest(), cfg.bands, cfg.rows), sample)


def overlap(shingles: frozenset[int], other_sample: list[int], other_size: int) -> float:
    """Estimated |A ∩ B| from A's full set and B's bottom-k sample (exact when B's sample is B)."""
    if not other_sample or other_size <= 0:
        return 0.0
    found = sum(1 for h in other_sample if h in shingles)
    if len(other_sample) >= other_size:
        return float(found)
    # the scaled estimate can exceed what A has when A is small: an intersection never does
    return min(found / len(other_sample) * other_size, float(len(shingles)))


def pack_sample(sample: tuple[int, ...] | list[int]) -> str:
    """The sample as base64 of big-endian uint32s: about half the bytes of a JSON list of ints."""
    return base64.b64encode(struct.pack(f">{len(sample)}I", *sample)).decode("ascii")


def unpack_sample(packed: str) -> list[int]:
    raw = base64.b64decode(packed)
    return list(struct.unpack(f">{len(raw) // 4}I", raw))
