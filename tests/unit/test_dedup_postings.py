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
