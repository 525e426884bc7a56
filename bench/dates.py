"""Publication-date accuracy and speed, ours vs htmldate's extensive search, on the same pages in one run.

    python -m bench.dates [--limit N] [--lang-limit N]

Dates (`dates_dev.jsonl.gz`): "ours" is the path the pipeline takes for an HTML record — the extract
stage (trafilatura, metadata incl. `date`, and `htmldates.page_dates` structured stamps with time
and offset, merged into `metadata`), then the normalize stage; the day
compared is the local day of `published_local`. htmldate is `find_date(html, original_date=True)`.
Metric as in htmldate's tests/comparison.py: same first 10 characters = TP, another date = FP,
no date = FN; a page whose expected date is null counts as correct (TN) when no date is returned.

Language (`extraction_snippets.*`): the joined `with` snippets of each page against its `lang` label
(a py3langid guess on the same snippets, so a silver label).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from htmldate import find_date

from bench.devdata import rows
from bench.folds import fold_ids, held_out, per_fold, report
from workers.errors import StageError
from workers.records import Article, RawArticle
from workers.stages import extract, normalize
from workers.stages.normalize import pubdate
from workers.stages.normalize.language import detect_language


def _expected(row: dict[str, Any]) -> str | None:
    value = row.get("expected_date")
    return value if isinstance(value, str) else None


CLASSES = ("metadata", "url", "byline", "text")


BYLINE_VOTES = (0.9, pubdate.BYLINE_VOTE, 2.5)  # never outvotes one source / outvotes one / outvotes two
Replay = dict[str, Any]


def ours(row: dict[str, Any], now: datetime, replay: list[Replay] | None = None) -> tuple[str | None, float, str]:
    """The pipeline's publication day for one HTML page (None when it finds none or fails the page),
    the seconds spent beyond extraction (the normalize stage; markup stamps come from extract), and
    the page's class (`page_class`)."""
    raw = RawArticle(id=row["id"], url=row["url"] if "://" in row["url"] else None, html=row["html"])
    try:
        article = extract.extract(raw, extract.ExtractConfig())
    except StageError:
        if replay is not None:
            replay.append({})
        return None, 0.0, "text"
    start = time.perf_counter()
    result = normalize.run(article, normalize.NormalizeConfig(), now)
    extra = time.perf_counter() - start
    if replay is not None:  # what `pubdate.resolve` saw, to score other votes without re-extracting
        code = str(result.language["code"]) if result.language else "und"
        replay.append({"text": result.text, "metadata": article.metadata, "hints": article.hints,
                       "url": article.url, "language": None if code == "und" else code,
                       "hosts": [article.url, article.metadata.get("canonical_url"), article.source,
                                 article.metadata.get("sitename")]})
    return (result.published_local[:10] if result.published_local else None), extra, page_class(article, now)


def page_class(article: Article, now: datetime) -> str:
    """Which evidence a page offers, strongest first, read the same way for every system compared:
    `metadata` (a structured stamp: JSON-LD, `<meta>`, itemprop, `<time pubdate>`), `url` (a date in
    the URL or canonical URL), `byline` (a date with a clock time at the top of the text), `text` (only
    dates in running text, or none). The class says nothing about the gold date."""
    if article.metadata.get("published_time"):
        return "metadata"
    found = pubdate.candidates(article.text, {k: v for k, v in article.metadata.items() if k != "date"}, {},
                               article.url, reference_year=now.year, month_first=False)
    if any(c.source == "url" for c in found):
        return "url"
    if any(pubdate.is_byline(c) for c in found):
        return "byline"
    return "text"


def htmldate_extensive(row: dict[str, Any]) -> str | None:
    try:
        found = find_date(row["html"], original_date=True)
    except Exception:  # a rival's crash on one page counts as no date  # noqa: BLE001
        return None
    return str(found)[:10] if found else None


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0
        self.seconds: list[float] = []

    def add(self, predicted: str | None, expected: str | None, seconds: float) -> None:
        self.seconds.append(seconds)
        if predicted is None:
            self.tn += expected is None
            self.fn += expected is not None
        elif predicted == expected:
            self.tp += 1
        else:
            self.fp += 1

    def line(self, name: str) -> str:
        n = len(self.seconds)
        precision = self.tp / max(1, self.tp + self.fp)
        recall = self.tp / max(1, self.tp + self.fn)
        total = sum(self.seconds)
        return (f"{name:<22} acc {(self.tp + self.tn) / max(1, n):.3f}  P {precision:.3f}  R {recall:.3f}  "
                f"(TP {self.tp} FP {self.fp} FN {self.fn} TN {self.tn})  {n / total:6.1f} pages/s  "
                f"median {1000 * statistics.median(self.seconds):.1f} ms")


def bench_dates(limit: int | None, dump: str | None = None) -> None:
    now = datetime.now(UTC)
    mine, theirs = Score(), Score()
    beyond_extraction: list[float] = []
    subsets: Counter[str] = Counter()
    seen: list[dict[str, Any]] = []
    replays: list[Replay] = []
    out = open(dump, "w", encoding="utf-8") if dump else None  # noqa: SIM115, PTH123
    for i, row in enumerate(rows("dates_dev.jsonl.gz")):
        if limit is not None and i >= limit:
            break
        expected = _expected(row)
        start = time.perf_counter()
        predicted, extra, kind = ours(row, now, replays)
        beyond_extraction.append(extra)
        middle = time.perf_counter()
        rival = htmldate_extensive(row)
        end = time.perf_counter()
        mine.add(predicted, expected, middle - start)
        theirs.add(rival, expected, end - middle)
        subsets[f"{row['subset']}:{'ok' if predicted == expected else 'miss'}"] += 1
        seen.append({"url": row["url"], "expected": expected, "ours": predicted, "htmldate": rival,
                     "class": kind})
        if out:
            out.write(json.dumps(seen[-1]) + "\n")
    if out:
        out.close()
    print(f"dates_dev.jsonl.gz, {len(mine.seconds)} pages (exact day)")
    print(mine.line("ours (extract+norm.)"))
    print(theirs.line("htmldate extensive"))
    print(f"ours without extraction (normalize incl. text dates): "
          f"median {1000 * statistics.median(beyond_extraction):.1f} ms, "
          f"mean {1000 * statistics.fmean(beyond_extraction):.1f} ms per page")
    print("ours by subset:", dict(sorted(subsets.items())))
    print_unseen(seen)
    print_held_out(seen, replays, now)


def _day_with(replay: Replay, vote: float, now: datetime) -> str | None:
    if not replay:
        return None
    resolution = pubdate.resolve(replay["text"], replay["metadata"], replay["hints"], url=replay["url"],
                                 hosts=replay["hosts"], language=replay["language"], now=now, byline_vote=vote)
    return resolution.published.local.date().isoformat() if resolution.published else None


def print_held_out(seen: list[dict[str, Any]], replays: list[Replay], now: datetime) -> None:
    """The byline vote chosen on four site folds, scored on the fifth (`bench.folds.held_out`)."""
    days = {vote: [_day_with(r, vote, now) for r in replays] for vote in BYLINE_VOTES}

    def accuracy(vote: float, idx: list[int]) -> float:
        return sum(bool(days[vote][i] == seen[i]["expected"]) for i in idx) / max(len(idx), 1)

    folds = fold_ids(seen)
    mean, results = held_out(folds, BYLINE_VOTES, accuracy)
    baseline = per_fold(folds, lambda idx: (0.0, _accuracy(seen, idx, "htmldate")))
    base_mean = sum(s.baseline for s in baseline) / max(len(baseline), 1)
    print(f"  byline vote chosen on the other folds (from {BYLINE_VOTES}; shipped {pubdate.BYLINE_VOTE}):")
    for fold, vote, score in results:
        print(f"    fold {fold}: chosen {vote}, accuracy {score:.4f}")
    print(f"    held-out mean {mean:.4f} vs htmldate extensive {base_mean:.4f} ({mean - base_mean:+.4f}); "
          f"all rows per vote: " + ", ".join(f"{v}: {accuracy(v, list(range(len(seen)))):.4f}" for v in BYLINE_VOTES))


def _accuracy(seen: list[dict[str, Any]], idx: list[int], system: str) -> float:
    """Exact-day accuracy as in `Score` (no date for a page without gold date counts as right)."""
    return sum(bool(seen[i][system] == seen[i]["expected"]) for i in idx) / max(len(idx), 1)


def print_unseen(seen: list[dict[str, Any]]) -> None:
    """Site folds (`bench.folds`) and page classes, ours vs htmldate extensive on the same pages.

    No date rule has a threshold chosen by a search over this set, so a fold's accuracy is a score
    on sites no search saw; the per-class lines are pooled over the folds."""
    folds = fold_ids(seen)
    print(report("dates_dev exact day: ours vs htmldate extensive",
                 per_fold(folds, lambda idx: (_accuracy(seen, idx, "ours"), _accuracy(seen, idx, "htmldate"))),
                 metric="accuracy"))
    print("  by page class (accuracy: ours / htmldate extensive):")
    for kind in CLASSES:
        idx = [i for i, s in enumerate(seen) if s["class"] == kind]
        if idx:
            mine, theirs = _accuracy(seen, idx, "ours"), _accuracy(seen, idx, "htmldate")
            wins = sum(1 for i in idx if seen[i]["ours"] == seen[i]["expected"] != seen[i]["htmldate"])
            losses = sum(1 for i in idx if seen[i]["htmldate"] == seen[i]["expected"] != seen[i]["ours"])
            mark = "ok" if mine >= theirs else "WORSE"
            print(f"    {kind:<9}{len(idx):>4} pages  {mine:.3f} / {theirs:.3f}  "
                  f"(+{wins} -{losses} pages)  {mark}")


def bench_language(limit: int | None) -> None:
    cfg = normalize.NormalizeConfig()
    correct = total = undetermined = 0
    per_lang: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    seconds = 0.0
    for name in ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz"):
        for row in rows(name):
            if limit is not None and total >= limit:
                break
            label, text = row.get("lang"), " ".join(row.get("with") or [])
            if not label or len(label) != 2 or not text.strip():
                continue
            start = time.perf_counter()
            found = detect_language(text, None, cfg.language)
            seconds += time.perf_counter() - start
            total += 1
            per_lang[label] += 1
            undetermined += found["code"] == "und"
            if found["code"] == label:
                correct += 1
            else:
                wrong[f"{label}->{found['code']}"] += 1
    print(f"language ID over {total} snippet pages with a `lang` label: {correct} correct, "
          f"accuracy {correct / max(1, total):.3f}, "
          f"und {undetermined}, {1000 * seconds / max(1, total):.3f} ms/page")
    print("  labels:", dict(per_lang.most_common(10)), " errors:", dict(wrong.most_common(8)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N date pages only (0: skip dates)")
    parser.add_argument("--dump", help="write per-page predictions (JSON lines) here")
    parser.add_argument("--lang-limit", type=int, default=None, help="first N language pages only")
    args = parser.parse_args()
    if args.limit != 0:
        bench_dates(args.limit, args.dump)
    bench_language(args.lang_limit)


if __name__ == "__main__":
    main()
