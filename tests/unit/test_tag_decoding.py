"""Tags from word logits: the best valid BIO sequence, not each word's argmax."""

from __future__ import annotations

import numpy as np

from workers.stages.tag.bio import best_tags, entity_spans

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]


def logits_of(*rows: dict[str, float]) -> np.ndarray:
    """Word logits: -5 for every label a row does not name."""
    out = np.full((len(rows), len(LABELS)), -5.0, dtype=np.float32)
    for i, row in enumerate(rows):
        for tag, value in row.items():
            out[i, LABELS.index(tag)] = value
    return out


def is_valid_bio(tags: list[str]) -> bool:
    return all(not tag.startswith("I-") or (i > 0 and tags[i - 1][2:] == tag[2:]) for i, tag in enumerate(tags))


def test_clear_evidence_is_read_as_each_words_argmax() -> None:
    logits = logits_of({"B-PER": 4}, {"I-PER": 4}, {"O": 4}, {"B-LOC": 4})
    assert best_tags(logits, LABELS) == ["B-PER", "I-PER", "O", "B-LOC"]


def test_an_entity_whose_words_disagree_on_the_type_stays_one_entity() -> None:
    # argmax: B-ORG I-LOC I-ORG (two entities, one of them wrong); the ORG reading is far more probable
    logits = logits_of({"B-ORG": 5}, {"I-LOC": 2.0, "I-ORG": 1.8}, {"I-ORG": 5})
    tags = best_tags(logits, LABELS)
    assert tags == ["B-ORG", "I-ORG", "I-ORG"]
    assert entity_spans(tags) == [(0, 3, "ORG")]


def test_an_inside_tag_after_o_is_never_produced() -> None:
    logits = logits_of({"O": 5}, {"I-PER": 2.0, "B-PER": 1.5}, {"I-PER": 4})
    tags = best_tags(logits, LABELS)
    assert tags == ["O", "B-PER", "I-PER"]
    assert best_tags(logits_of({"I-LOC": 3, "B-LOC": 2.5}), LABELS) == ["B-LOC"]


def test_every_decoded_sequence_is_valid_bio() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        logits = rng.normal(scale=3.0, size=(int(rng.integers(1, 12)), len(LABELS))).astype(np.float32)
        assert is_valid_bio(best_tags(logits, LABELS))


def test_the_decoded_sequence_is_the_most_probable_valid_one() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        logits = rng.normal(scale=2.0, size=(3, len(LABELS))).astype(np.float32)
        logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        every = [[a, b, c] for a in LABELS for b in LABELS for c in LABELS]
        valid = [seq for seq in every if is_valid_bio(seq)]
        best = max(valid, key=lambda seq: sum(logp[i, LABELS.index(t)] for i, t in enumerate(seq)))
        assert best_tags(logits, LABELS) == best


def test_no_words_no_tags() -> None:
    assert best_tags(np.zeros((0, len(LABELS)), dtype=np.float32), LABELS) == []
