"""Site folds for the benchmarks: pages of one site never straddle a tuning/evaluation cut."""

from __future__ import annotations

from bench.folds import K, fold_ids, fold_of, held_out, per_fold, site


def test_site_is_the_registered_domain() -> None:
    assert site("https://www.bbc.co.uk/news/world-1") == "bbc.co.uk"
    assert site("https://blog.python.org/2020/01/x.html") == site("https://docs.python.org/3/") == "python.org"
    assert site("http://archiv.krimiblog.de/a") == "krimiblog.de"


def test_wayback_urls_count_for_the_archived_site() -> None:
    assert site("https://web.archive.org/web/20190101000000/https://www.spiegel.de/a.html") == "spiegel.de"


def test_keys_that_are_not_urls_are_sites_of_their_own() -> None:
    assert site("hard::blog.python.org.html") == "hard::blog.python.org.html"
    assert site("hard::dw.com.colonial.html") != site("hard::elfaro.net-asamblea.html")
    assert site(None) == site("") == "<none>"


def test_one_site_one_fold_and_every_fold_in_range() -> None:
    rows = [{"url": f"https://{sub}.example{n}.com/{i}"} for n in range(40) for sub in ("www", "news")
            for i in range(3)]
    folds = fold_ids(rows)
    by_site: dict[str, set[int]] = {}
    for row, fold in zip(rows, folds, strict=True):
        by_site.setdefault(site(row["url"]), set()).add(fold)
    assert all(len(f) == 1 for f in by_site.values())
    assert set(folds) <= set(range(K))
    assert len(set(folds)) > 1  # 40 sites do not all hash to one fold
    assert fold_of("example.com") == fold_of("example.com", K)


def test_held_out_scores_each_fold_with_the_choice_made_on_the_others() -> None:
    # Fold 0 alone prefers parameter "b"; every other fold prefers "a". Chosen on the other folds,
    # fold 0 gets "a" and its low score: the held-out figure does not reward fitting fold 0.
    folds = [0, 0, 1, 1, 2, 2]
    good = {("a", 0): 0.5, ("b", 0): 0.6}

    def score(param: str, idx: list[int]) -> float:
        return sum(good.get((param, folds[i]), 0.8 if param == "a" else 0.5) for i in idx) / len(idx)

    mean, results = held_out(folds, ["a", "b"], score, k=3)
    assert [(fold, chosen) for fold, chosen, _ in results] == [(0, "a"), (1, "a"), (2, "a")]
    assert results[0][2] == score("a", [0, 1])
    assert mean == sum(r[2] for r in results) / 3


def test_per_fold_skips_empty_folds() -> None:
    scores = per_fold([1, 1, 3], lambda idx: (len(idx), 0.0), k=5)
    assert [(s.fold, s.rows, s.ours) for s in scores] == [(1, 2, 2), (3, 1, 1)]
