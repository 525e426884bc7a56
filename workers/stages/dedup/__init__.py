"""Dedup stage (`articles.tagged` -> `articles.enriched`): exact and near duplicates, story clusters.

Entry point in `stage` (re-exported here); helpers: `shingles` (normalised words and shingles),
`minhash` (LSH band keys and the verifying sample), `urlcanon` (the canonical URL of a page).
"""

from workers.stages.dedup.stage import DedupConfig, Index, fingerprint, published_ts, run

__all__ = ["DedupConfig", "Index", "fingerprint", "published_ts", "run"]
