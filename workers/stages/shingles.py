"""Text normalisation and word shingles for duplicate detection.

Syndicated copies differ in case, punctuation, quotes, diacritics and regional spellings
(`Jänner`/`Januar`); all of that is folded away before shingling so that only wording counts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"\w+", re.UNICODE)

# Regional spellings of the same word (Austrian and Swiss German month names), folded to one form.
# A general spelling table, not a list of inputs: extend it when a new variant shows up.
SPELLING_VARIANTS: dict[str, str] = {
    "janner": "januar",
    "jaenner": "januar",
    "feber": "februar",
}


def _fold(word: str) -> str:
    """Casefold and strip diacritics: `Jänner` -> `janner`, `Straße` -> `strasse`."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The normalised word sequence of `text` (the unit both fingerprints and shingles use)."""
    out = []
    for raw in _WORD.findall(text):
        word = _fold(raw)
        out.append(SPELLING_VARIANTS.get(word, word))
    return out


def shingle_strings(tokens: list[str], size: int) -> list[str]:
    """Distinct word `size`-grams in text order; a text shorter than `size` is one shingle."""
    if not tokens:
        return []
    if len(tokens) < size:
        return [" ".join(tokens)]
    seen: dict[str, None] = {}
    for i in range(len(tokens) - size + 1):
        seen.setdefault(" ".join(tokens[i:i + size]), None)
    return list(seen)


def hash32(item: str) -> int:
    """A stable 32-bit hash (Python's `hash` is salted per process, so it cannot be stored)."""
    return int.from_bytes(hashlib.blake2b(item.encode("utf-8"), digest_size=4).digest(), "big")


def shingle_hashes(shingles: Iterable[str]) -> set[int]:
    return {hash32(s) for s in shingles}
