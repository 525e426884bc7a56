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
def _may_follow(labels: tuple[str, ...]) -> NDArray[np.float64]:
    """0 where tag `j` may follow tag `i`, -inf where it may not: `I-X` only after `B-X` or `I-X`."""
    allowed = np.zeros((len(labels), len(labels)))
    for j, tag in enumerate(labels):
        if tag.startswith("I-"):
            for i, before in enumerate(labels):
                if before.partition("-")[2] != tag[2:]:
                    allowed[i, j] = -np.inf
    return allowed


def best_tags(logits: NDArray[np.float32], labels: Sequence[str]) -> list[str]:
    """The most probable tag sequence that is valid BIO (Viterbi over the per-word log-probabilities).

    Taking each word's argmax alone can give `B-ORG I-LOC` or `O I-PER`, which splits or cuts an
    entity; the best valid sequence decides such words from their neighbours' evidence instead. It
    has no parameter to tune: the transition scores are 0 (allowed) or -inf (not BIO).
    """
    if not len(logits):
        return []
    scores = logits.astype(np.float64)
    scores -= scores.max(-1, keepdims=True)
    scores -= np.log(np.exp(scores).sum(-1, keepdims=True))
    follow = _may_follow(tuple(labels))
    start = np.array([-np.inf if tag.startswith("I-") else 0.0 for tag in labels])
    best = start + scores[0]
    back = np.zeros(scores.shape, dtype=np.int64)
    for t in range(1, len(scores)):
        candidates = best[:, None] + follow
        back[t] = candidates.argmax(0)
        best = candidates.max(0) + scores[t]
    path = [int(best.argmax())]
    for t in range(len(scores) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return [labels[i] for i in reversed(path)]
