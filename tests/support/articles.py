"""Synthetic but realistic plain-text articles in bulk, for fault and load tests.

Words are drawn from real article bodies (the Fundus evaluation set), so every stage does its
real work; each article gets its own random word order, so none is a duplicate of another, unless
`copy_every` asks for exact copies (same text, own id, published a minute later).
"""

from __future__ import annotations

import random
import re
from functools import cache

import orjson

from bench.devdata import rows


@cache
def vocabulary() -> tuple[str, ...]:
    words: set[str] = set()
    for row in rows("extraction_fundus_eval.jsonl.gz"):
        words.update(re.findall(r"[A-Za-z][a-z]{2,}", row["expected_body"]))
    return tuple(sorted(words))


def article_text(rng: random.Random, paragraphs: int = 3, words: int = 45) -> str:
    vocab = vocabulary()
    return "\n\n".join(
        " ".join(rng.choice(vocab) for _ in range(words)).capitalize() + "." for _ in range(paragraphs))


COPY_DISTANCE = 12  # a copy repeats the article this many places before it in the stream


def articles(count: int, *, seed: int, prefix: str, copy_every: int = 0) -> list[bytes]:
    """`count` articles; with `copy_every` = n, every n-th one is an exact copy of an earlier one."""
    rng = random.Random(seed)
    texts: list[str] = []
    records = []
    for i in range(count):
        is_copy = copy_every and i % copy_every == copy_every - 1 and i >= COPY_DISTANCE
        texts.append(texts[i - COPY_DISTANCE] if is_copy else article_text(rng))
        records.append(orjson.dumps({"id": f"{prefix}-{i:05d}", "text": texts[i], "source": "synthetic.example",
                                     "published_at": "2025-12-31T10:01:00Z" if is_copy else "2025-12-31T10:00:00Z",
                                     "language": "en"}))
    return records


def copy_pairs(count: int, *, prefix: str, copy_every: int) -> list[tuple[str, str]]:
    """(original id, copy id) of the copies `articles(count, prefix=..., copy_every=...)` made."""
    return [(f"{prefix}-{i - COPY_DISTANCE:05d}", f"{prefix}-{i:05d}") for i in range(count)
            if i % copy_every == copy_every - 1 and i >= COPY_DISTANCE]
