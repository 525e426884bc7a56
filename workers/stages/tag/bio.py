"""BIO tags of words -> entity spans."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

WordSpan = tuple[int, int, str]  # first word, last word + 1, label


def entity_spans(tags: Sequence[str]) -> list[WordSpan]:
    """Entities read off a tag sequence; an `I-` that follows O or another type opens a new entity
    (a tag sequence from elsewhere can hold one, and a dropped first word is better than a dropped entity)."""
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


@cache
def _transitions(labels: tuple[str, ...]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """BIO as scores: (may `j` follow `i`, may a sentence start with `j`), 0 where allowed, -inf where
    not. `I-X` only after `B-X` or `I-X`, never first."""
    inside = np.array([tag.startswith("I-") for tag in labels])
    kind = np.array([tag.partition("-")[2] for tag in labels])
    follow = np.where(inside[None, :] & (kind[:, None] != kind[None, :]), -np.inf, 0.0)
    return follow, np.where(inside, -np.inf, 0.0)


def best_tags(logits: NDArray[np.float32], labels: Sequence[str]) -> list[str]:
    """The most probable tag sequence that is valid BIO (Viterbi over the words' scores).

    Taking each word's argmax alone can give `B-ORG I-LOC` or `O I-PER`, which splits or cuts an
    entity; the best valid sequence decides such words from their neighbours' evidence instead. It
    has no parameter to tune: the transition scores are 0 (allowed) or -inf (not BIO). Raw logits
    suffice: each word's softmax normaliser is shared by every sequence, so the best is the same.
    """
    if not len(logits):
        return []
    follow, start = _transitions(tuple(labels))
    best = start + logits[0]
    back = np.zeros(logits.shape, dtype=np.int64)
    for t in range(1, len(logits)):
        candidates = best[:, None] + follow
        back[t] = candidates.argmax(0)
        best = candidates.max(0) + logits[t]
    path = [int(best.argmax())]
    for t in range(len(logits) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return [labels[i] for i in reversed(path)]
