"""Folds by site: split a dev set so that no site has pages on both sides of a tuning/evaluation cut.

Why: a rule written while looking at a page of site S fits S's template; scored on another page of S
it looks better than it will on a site never seen. Grouping rows by registered domain and scoring each
fold with rules chosen on the other folds is what predicts a new user's figures (issue 14).

Decisions (recorded here because the data is silent):
- the site is the registered domain of the row's URL (`courlan.extract_domain`: `www.bbc.co.uk` ->
  `bbc.co.uk`); a Wayback Machine URL (`web.archive.org/web/<stamp>/<url>`) counts for the archived
  URL's site, not for archive.org (21 snippet rows would otherwise share one "site");
- a `url` that is not an http(s) URL (trafilatura's `hard::<name>.html` keys, a typo like `xhttps://`)
  is a site of its own, named by the whole key: those rows name distinct outlets, and a shared
  `hard::` group would put 37 unrelated pages into one fold;
- the fold is `sha1(site) mod k` (k = 5): deterministic across runs, machines and row order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from courlan import extract_domain

K = 5
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]+/(?P<url>https?://.+)$", re.IGNORECASE)

P = TypeVar("P", bound=Hashable)


def site(url: object) -> str:
    """The registered domain a row's page belongs to (see the module docstring for non-URLs)."""
    if not isinstance(url, str) or not url.strip():
        return "<none>"
    url = url.strip()
    wayback = _WAYBACK.match(url)
    if wayback:
        url = wayback.group("url")
    if not url.lower().startswith(("http://", "https://")):
        return url
    domain = extract_domain(url, fast=True)
    return domain.lower() if domain else url


def fold_of(site_name: str, k: int = K) -> int:
    """Stable fold number of a site: the same on every run and machine."""
    return int(hashlib.sha1(site_name.encode("utf-8")).hexdigest(), 16) % k  # noqa: S324  (not security)


def fold_ids(rows: Sequence[dict[str, Any]], k: int = K) -> list[int]:
    """The fold of each row, by the site of its `url`."""
    return [fold_of(site(row.get("url")), k) for row in rows]


@dataclass(frozen=True, slots=True)
class FoldScore:
    fold: int
    rows: int
    ours: float
    baseline: float


def per_fold(folds: Sequence[int], score: Callable[[list[int]], tuple[float, float]],
             k: int = K) -> list[FoldScore]:
    """`score(row indices) -> (ours, baseline)` on each non-empty fold."""
    out = []
    for fold in range(k):
        members = [i for i, f in enumerate(folds) if f == fold]
        if members:
            ours, baseline = score(members)
            out.append(FoldScore(fold, len(members), ours, baseline))
    return out


def report(label: str, scores: Sequence[FoldScore], metric: str = "F1") -> str:
    """One line per fold, then the mean over folds and the number of folds where ours wins."""
    lines = [f"  {label} by site fold ({metric}: ours / baseline):"]
    for s in scores:
        mark = ">" if s.ours > s.baseline else ("=" if s.ours == s.baseline else "<")
        lines.append(f"    fold {s.fold} ({s.rows:>4} rows)  {s.ours:.4f} {mark} {s.baseline:.4f}")
    if scores:
        mean_ours = sum(s.ours for s in scores) / len(scores)
        mean_base = sum(s.baseline for s in scores) / len(scores)
        wins = sum(s.ours > s.baseline for s in scores)
        lines.append(f"    mean over folds {mean_ours:.4f} vs {mean_base:.4f} ({mean_ours - mean_base:+.4f}); "
                     f"ours wins {wins} of {len(scores)} folds")
    return "\n".join(lines)


def held_out(folds: Sequence[int], params: Sequence[P], score: Callable[[P, list[int]], float],
             k: int = K) -> tuple[float, list[tuple[int, P, float]]]:
    """Cross-validated score of a tuned choice: for each fold, the parameter that scores best on the
    *other* folds, scored on that fold; returns the mean over folds and `(fold, chosen, score)` each.

    This is the figure a rule or threshold must improve to be kept (docs/extraction.md).
    """
    results = []
    for fold in range(k):
        test = [i for i, f in enumerate(folds) if f == fold]
        train = [i for i, f in enumerate(folds) if f != fold]
        if not test or not train:
            continue
        chosen = max(params, key=lambda p: score(p, train))
        results.append((fold, chosen, score(chosen, test)))
    mean = sum(r[2] for r in results) / len(results) if results else 0.0
    return mean, results
