"""Synthetic but realistic plain-text articles in bulk, for fault and load tests.

Words are drawn from real article bodies (the Fundus evaluation set), so every stage does its
real work; each article gets its own random word order, so none is a duplicate of another.
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


def articles(count: int, *, seed: int, prefix: str) -> list[bytes]:
    rng = random.Random(seed)
    return [orjson.dumps({"id": f"{prefix}-{i:05d}", "text": article_text(rng), "source": "synthetic.example",
                          "published_at": "2025-12-31T10:00:00Z", "language": "en"}) for i in range(count)]
