"""Dedup stage: content fingerprint and the duplicate verdict against an index of earlier articles.

The index is any mutable mapping: a Faust table (RocksDB + changelog) in the worker, a dict in
`news-ingest enrich`. The verdict only depends on the index and the article, never on the driver.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from workers.records import Article

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class DedupConfig:
    retention_days: float = 7.0


def fingerprint(text: str) -> str:
    """Exact-duplicate key: case, punctuation and whitespace differences do not make a new story."""
    normalized = _NON_WORD.sub(" ", text.casefold()).strip()
    return hashlib.sha1(normalized.encode("utf-8"), usedforsecurity=False).hexdigest()


def run(article: Article, index: MutableMapping[str, Any], cfg: DedupConfig) -> Article:
    """Mark `article` against `index` (keyed by fingerprint) and record it there if it is new."""
    key = fingerprint(article.text)
    first = index.get(key)
    if first is not None and first["id"] != article.id:
        verdict = {"status": "exact", "of": first["id"], "similarity": 1.0, "cluster_id": first["cluster_id"]}
    else:
        if first is None:
            index[key] = {"id": article.id, "cluster_id": article.id}
        verdict = {"status": "unique", "of": None, "similarity": None,
                   "cluster_id": first["cluster_id"] if first else article.id}
    return dataclasses.replace(article, duplicate=verdict)
