"""Text normalisation and word shingles for duplicate detection.

Syndicated copies differ in case, punctuation, quotes, diacritics and regional spellings
(`Jänner`/`Januar`); all of that is folded away before shingling so that only wording counts.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)

# Regional spellings of the same word (Austrian and Swiss German month names), folded to one form.
# A general spelling table, not a list of inputs: extend it when a new variant shows up.
SPELLING_VARIANTS: dict[str, str] = {
    "janner": "januar",
    "jaenner": "januar",
    "feber": "februar",
}


# Combining marks left by NFKD decomposition (Latin, Greek and Cyrillic diacritics).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Casefold and strip diacritics: `Jänner` -> `janner`, `Straße` -> `strasse` (whole text at once)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def words(text: str) -> list[str]:
    """The normalised word sequence of `text` (the unit both fingerprints and shingles use)."""
    return [SPELLING_VARIANTS.get(word, word) for word in _WORD.findall(_fold(text))]


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
