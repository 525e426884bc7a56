"""Per-entity summary of an article: canonical, label, mentions, count and a salience score.

Salience is the entity's share of the article's weighted mentions:
    salience(e) = sum(w(m) for m in mentions(e)) / sum(w(m) for every mention in the article)
with w = 3 for a mention in the title, 2 in the lead (the first paragraphs of `text` up to
`LEAD_CHARS` characters), 1 elsewhere. Scores of one article sum to 1; the entity named in the title
and lead of a story outranks one named once in passing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from workers.stages.tag.canonical import Mention

TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
BODY_WEIGHT = 1.0
LEAD_CHARS = 300


def lead_end(text: str) -> int:
    """End offset of the lead: whole paragraphs until at least `LEAD_CHARS` characters are covered."""
    end = 0
    while end < min(len(text), LEAD_CHARS):
        nxt = text.find("\n\n", end + 1)
        if nxt < 0:
            return len(text)
        end = nxt
    return end


def weight(mention: Mention, lead: int) -> float:
    if mention.field == "title":
        return TITLE_WEIGHT
    return LEAD_WEIGHT if mention.start < lead else BODY_WEIGHT


def summarise(mentions: Sequence[Mention], canonicals: Sequence[str], text: str) -> list[dict[str, Any]]:
    """One entry per canonical, most salient first; label is the most frequent label of its mentions."""
    lead = lead_end(text)
    total = sum(weight(m, lead) for m in mentions) or 1.0
    groups: dict[str, list[Mention]] = {}
    for mention, canonical in zip(mentions, canonicals, strict=True):
        groups.setdefault(canonical, []).append(mention)
    summary: list[dict[str, Any]] = []
    for canonical, group in groups.items():
        labels = Counter(m.label for m in group)  # insertion order breaks ties: first seen wins
        summary.append({
            "canonical": canonical,
            "label": labels.most_common(1)[0][0],
            "count": len(group),
            "salience": round(sum(weight(m, lead) for m in group) / total, 4),
            "mentions": [{"text": m.text, "field": m.field, "start": m.start, "end": m.end} for m in group],
        })
    summary.sort(key=lambda e: (-e["salience"], e["canonical"]))
    return summary
