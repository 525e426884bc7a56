"""Per-source boilerplate profile: line fingerprints counted over the articles of one source.

Why: a site prints the same menu, login and promo lines around every article; once a line has been
seen in many of a source's articles it is chrome, whatever its features say. The profile is a plain
JSON-ready dict (a Faust table value keyed by source), bounded to `max_lines` fingerprints, and
`update` is pure: it returns a new profile. Shape:

    {"v": 1, "articles": <articles seen>, "lines": {<fingerprint>: [<count>, <first seen at>]}}
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from workers.stages.extract import linefeatures as lf

Profile = dict[str, Any]
VERSION = 1
_DIGITS = re.compile(r"\d+")
# Lines this long that read as prose are never dropped by the profile: a source that sends the same
# story several times (updates, corrections) must not lose its body to its own history.
_PROSE_GUARD_WORDS = 40


def fingerprint(line: str) -> str:
    """A short stable id of a line, insensitive to case, whitespace and numbers (dates, counters)."""
    norm = _DIGITS.sub("0", " ".join(line.casefold().split()))
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def empty() -> Profile:
    return {"v": VERSION, "articles": 0, "lines": {}}


def update(profile: Profile | None, lines: Sequence[str], *, max_lines: int = 1000) -> Profile:
    """The profile after one more article with these lines (each distinct line counts once)."""
    base = profile if _valid(profile) else empty()
    assert base is not None
    articles = int(base["articles"]) + 1
    counts: dict[str, list[int]] = {fp: [int(c), int(first)] for fp, (c, first) in base["lines"].items()}
    for fp in {fingerprint(line) for line in lines if line.strip()}:
        if fp in counts:
            counts[fp][0] += 1
        else:
            counts[fp] = [1, articles]
    if len(counts) > max_lines:
        # Keep the lines seen most often; among equals, the most recent ones (they may still grow).
        ranked = sorted(counts.items(), key=lambda item: (item[1][0], item[1][1]), reverse=True)
        counts = dict(ranked[:max_lines])
    return {"v": VERSION, "articles": articles, "lines": counts}


def known_lines(profile: Profile | None, lines: Sequence[str], *, min_articles: int = 3,
                min_share: float = 0.5) -> frozenset[int]:
    """Indices of `lines` that the profile has seen in at least `min_articles` articles and in at
    least `min_share` of the source's articles since it first appeared."""
    if not _valid(profile):
        return frozenset()
    assert profile is not None
    seen: dict[str, list[int]] = profile["lines"]
    articles = int(profile["articles"])
    known = set()
    for i, line in enumerate(lines):
        entry = seen.get(fingerprint(line))
        if entry is None:
            continue
        count, first = int(entry[0]), int(entry[1])
        share = count / max(articles - first + 1, 1)
        if count >= min_articles and share >= min_share and not _prose(line):
            known.add(i)
    return frozenset(known)


def _prose(line: str) -> bool:
    return len(lf.words(line)) >= _PROSE_GUARD_WORDS and lf.ends_sentence(line)


def _valid(profile: Profile | None) -> bool:
    return (isinstance(profile, dict) and profile.get("v") == VERSION
            and isinstance(profile.get("lines"), dict)
            and isinstance(profile.get("articles"), int))
