"""Windows and batches of the encoder tagger: one sentence per window, batches of similar length."""

from __future__ import annotations

from workers.stages.tag.encoder import BATCH_PIECES, length_batches, longest_batched_with, sentence_windows


def test_each_sentence_is_its_own_window_framed_by_the_special_pieces() -> None:
    pieces = [[10], [11, 12], [13], [14]]
    windows = sentence_windows(pieces, [[0, 1], [2, 3]], max_pieces=126)
    assert [w.ids for w in windows] == [[0, 10, 11, 12, 2], [0, 13, 14, 2]]
    assert [w.first for w in windows] == [[1, 2], [1, 2]]
    assert [w.words for w in windows] == [[0, 1], [2, 3]]


def test_a_sentence_longer_than_a_window_is_cut_between_words() -> None:
    pieces = [[1, 1, 1], [2, 2, 2], [3, 3]]
    windows = sentence_windows(pieces, [[0, 1, 2]], max_pieces=5)
    assert [w.ids for w in windows] == [[0, 1, 1, 1, 2], [0, 2, 2, 2, 3, 3, 2]]
    assert [w.words for w in windows] == [[0], [1, 2]]


def test_a_word_without_pieces_has_no_first_piece_and_an_empty_sentence_no_window() -> None:
    windows = sentence_windows([[], [5]], [[0, 1], []], max_pieces=126)
    assert [(w.ids, w.first) for w in windows] == [([0, 5, 2], [-1, 1])]


def test_batches_hold_windows_of_similar_length_and_cover_every_window_once() -> None:
    lengths = [7, 60, 8, 62, 9, 120, 30, 7]
    batches = length_batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        shortest, longest = min(lengths[i] for i in batch), max(lengths[i] for i in batch)
        assert longest <= longest_batched_with(shortest)
        assert longest * len(batch) <= BATCH_PIECES
    assert [sorted(lengths[i] for i in batch) for batch in batches] == [[7, 7, 8, 9], [30], [60, 62], [120]]


def test_a_batch_stops_at_its_padded_piece_budget() -> None:
    batches = length_batches([100] * 10, budget=450)
    assert [len(b) for b in batches] == [4, 4, 2]
