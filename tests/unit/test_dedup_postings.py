"""The posting index: the memtable and the sealed runs answer alike, shared keys keep every holder."""

from __future__ import annotations

import numpy as np

from workers.stages.dedup.postings import Postings


def _keys(*values: int) -> np.ndarray:
    return np.asarray(values, np.uint32)


def _holders_in_runs(postings: Postings, key: int) -> list[int]:
    _, seqs = postings.lookup_runs(_keys(key))
    return sorted(seqs.tolist())


def test_a_key_shared_by_memtable_articles_keeps_every_holder() -> None:
    postings = Postings(cap=12, memtable_limit=10_000)
    postings.add(_keys(7, 8), 0)
    postings.add(_keys(7, 9), 1)
    postings.add(_keys(7), 2)
    assert postings.lookup_mem(7) == [0, 1, 2]
    assert postings.lookup_mem(8) == [0]
    assert postings.lookup_mem(10) == []
    assert postings.in_memtable(9)
    assert not postings.in_memtable(10)
    assert len(postings) == 5


def test_sealing_moves_every_posting_to_the_runs() -> None:
    postings = Postings(cap=12, memtable_limit=4)
    postings.add(_keys(7, 8), 0)
    postings.add(_keys(7, 9), 1)
    postings.seal()
    assert not postings.in_memtable(7)
    assert _holders_in_runs(postings, 7) == [0, 1]
    assert _holders_in_runs(postings, 9) == [1]
    postings.add(_keys(7), 2)  # the memtable starts empty again: no holder carried over
    assert postings.lookup_mem(7) == [2]
    assert len(postings) == 5


def test_runs_keep_the_newest_cap_holders_of_a_key() -> None:
    postings = Postings(cap=3, memtable_limit=1)
    for seq in range(6):
        postings.add(_keys(5, 100 + seq), seq)
        postings.seal()
    assert _holders_in_runs(postings, 5) == [3, 4, 5]


def test_lookups_in_large_fenced_runs_match_a_scan_of_every_posting() -> None:
    rng = np.random.default_rng(5)
    cap, articles = 4, 30_000
    postings = Postings(cap=cap, memtable_limit=20_000)
    holders: dict[int, list[int]] = {}
    for seq in range(articles):
        # keys from a small space so that many keys have more than `cap` holders, spread over runs
        keys = np.unique(rng.integers(0, 40_000, size=5)).astype(np.uint32)
        postings.add(keys, seq)
        for key in keys.tolist():
            holders.setdefault(key, []).append(seq)
        postings.seal()
    assert max(len(run) for run in postings._runs) >= 1 << 16  # noqa: SLF001  (the fenced search path is taken)
    probes = np.asarray([*rng.integers(0, 40_000, size=3_000), 0, 39_999, 50_000, 2**32 - 1], np.uint32)
    owner, seqs = postings.lookup_runs(probes)
    found: dict[int, list[int]] = {}
    for i, seq in zip(owner.tolist(), seqs.tolist(), strict=True):
        found.setdefault(i, []).append(seq)
    for i, key in enumerate(probes.tolist()):
        in_memtable = set(postings.lookup_mem(key))  # the runs hold what was sealed
        expected = sorted(s for s in holders.get(key, []) if s not in in_memtable)
        got = sorted(found.get(i, []))
        # each run keeps the newest `cap` of a key and runs are read newest first up to `cap`
        assert got == expected[-cap:], (key, got, expected)
