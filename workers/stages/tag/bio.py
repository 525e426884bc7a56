"""BIO tags of words -> entity spans."""

from __future__ import annotations

from collections.abc import Sequence

WordSpan = tuple[int, int, str]  # first word, last word + 1, label


def entity_spans(tags: Sequence[str]) -> list[WordSpan]:
    """Entities read off a tag sequence; an `I-` that follows O or another type opens a new entity
    (the tagger's argmax can produce one, and a dropped first word is better than a dropped entity)."""
    found: list[WordSpan] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        if start >= 0 and (prefix != "I" or label != kind):
            found.append((start, i, kind))
            start = -1
        if prefix == "B" or (prefix == "I" and start < 0):
            start, kind = i, label
    return found
