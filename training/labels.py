"""BIO labels over the four outer entity types, and exact-span scoring (CoNLL style)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from workers.stages.tag.bio import entity_spans

TYPES = ("PER", "LOC", "ORG", "MISC")
LABELS = ("O", *(f"{p}-{t}" for t in TYPES for p in ("B", "I")))
LABEL_ID = {label: i for i, label in enumerate(LABELS)}


def spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """(first, last + 1, type) of each entity, read as the tag stage reads its tags."""
    return set(entity_spans(tags))


def score(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 overall (`ALL`) and per type."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g_tags, p_tags in zip(gold, predicted, strict=True):
        g, p = spans(g_tags), spans(p_tags)
        for kind_set, counter in ((p & g, tp), (p - g, fp), (g - p, fn)):
            for _, _, kind in kind_set:
                counter[kind] += 1
                counter["ALL"] += 1
    out = {}
    for kind in ("ALL", *TYPES):
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 0.0
        r = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[kind] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "support": tp[kind] + fn[kind]}
    return out
