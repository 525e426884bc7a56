"""IOB2 sentence rows from `shared/data` as spaCy docs and gold spans, for training and scoring."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc
from spacy.training import biluo_tags_to_spans, iob_to_biluo
from spacy.vocab import Vocab

GERMAN = "ner_de_germeval2014.jsonl.gz"
GERMAN_TRAIN = "ner_de_germeval2014_train.jsonl.gz"
ENGLISH = "ner_en_uner.jsonl.gz"


def gold_doc(vocab: Vocab, row: dict[str, Any]) -> Doc:
    """One sentence on its gold tokens, with gold entities; spaces between all tokens."""
    doc = Doc(vocab, words=list(row["tokens"]))
    doc.ents = biluo_tags_to_spans(doc, iob_to_biluo(list(row["tags"])))
    return doc


def gold_spans(tags: Iterable[str]) -> set[tuple[int, int, str]]:
    """Exact-span entities (first token, last token + 1, label) read off an IOB2 sequence."""
    spans: set[tuple[int, int, str]] = set()
    start, label = -1, ""
    seq = [*tags, "O"]
    for i, tag in enumerate(seq):
        inside = tag.startswith("I-") and label == tag[2:] and start >= 0
        if inside:
            continue
        if start >= 0:
            spans.add((start, i, label))
            start, label = -1, ""
        if tag.startswith(("B-", "I-")):
            start, label = i, tag[2:]
    return spans


def split_rows(rows: Iterable[dict[str, Any]], split: str) -> Iterator[dict[str, Any]]:
    return (row for row in rows if row.get("split") == split)
