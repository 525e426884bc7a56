"""The fast tier's piece vectors: every word gets the mean of its encoder pieces' rows, seen or not."""

from __future__ import annotations

import json

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc
from thinc.api import Model, Ragged
from tokenizers import Tokenizer

from workers.models import model_path
from workers.stages.tag.pieces import piece_vectors

TOKENIZER = model_path("accurate") / "tokenizer.json"


def _layer(pieces: list[int], table: np.ndarray) -> Model[list[Doc], Ragged]:
    layer = piece_vectors(table.shape[1])
    layer.initialize()
    layer.set_param("E", table)  # type: ignore[arg-type]
    layer.attrs.update(tokenizer=TOKENIZER.read_text(encoding="utf-8"), chars=json.dumps({}),
                       row_of=[[p, row] for row, p in enumerate(pieces)],
                       space_piece=Tokenizer.from_file(str(TOKENIZER)).token_to_id("▁"))
    return layer


def test_a_word_is_the_mean_of_its_pieces_rows_and_a_piece_without_a_row_counts_for_nothing() -> None:
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    (witkoff,) = tokenizer.encode_batch([["Witkoff"]], is_pretokenized=True)
    (berlin,) = tokenizer.encode_batch([["Berlin"]], is_pretokenized=True)
    assert len(witkoff.ids) == 3  # ▁Wit ko ff
    assert len(berlin.ids) == 1   # ▁Berlin, left without a row here
    table = np.arange(3 * 4, dtype=np.float32).reshape(3, 4)
    layer = _layer(witkoff.ids, table)
    vocab = spacy.blank("xx").vocab
    out, _ = layer([Doc(vocab, words=["Witkoff", "Berlin", "Witkoff"])], is_train=False)
    data, lengths = np.asarray(out.data), np.asarray(out.lengths)
    assert np.allclose(data[0], table.mean(0))
    assert np.allclose(data[2], data[0])
    assert not data[1].any()
    assert lengths.tolist() == [3]


def test_a_trained_table_without_its_tokenizer_refuses_to_run() -> None:
    """The model files leave the tokenizer out; a layer loaded without `attach_tokenizer` must not tag
    with all-zero word vectors."""
    layer = _layer([5, 6, 7], np.ones((3, 4), dtype=np.float32))
    layer.attrs["tokenizer"] = ""
    with pytest.raises(RuntimeError, match="no tokenizer"):
        layer([Doc(spacy.blank("xx").vocab, words=["Berlin"])], is_train=False)
