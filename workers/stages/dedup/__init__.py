"""Dedup stage (`articles.tagged` -> `articles.enriched`): exact and near duplicates, story clusters.

Entry points in `stage` (re-exported here): `prepare` (pool side) and `DedupIndex.judge` (the one
writer); helpers: `shingles` (normalised words, prose lines, hashed shingles), `sketch` (what the
index stores per article and the overlap estimate), `postings` (the in-memory candidate index),
`urlcanon` (the canonical URL of a page).
"""

from workers.stages.dedup.stage import (DedupConfig, DedupIndex, Prepared, Store, fingerprint,  # noqa: I001
                                        prepare, prepare_bytes, published_ts, run)

__all__ = ["DedupConfig", "DedupIndex", "Prepared", "Store", "fingerprint", "prepare", "prepare_bytes",
           "published_ts", "run"]
