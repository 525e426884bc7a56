"""The fast tier's word vectors: each word's encoder pieces, averaged, for any word at all.

Why not spaCy's static vectors: a table keyed by word leaves every word it does not hold at zero,
and on GermEval dev that is a third of the entity tokens (names are rare words). The encoder's piece
vocabulary covers every word, so here each word is cut into the accurate tier's pieces and their
rows of its embedding table are averaged (the table PCA-reduced and frozen, set by
training/fast_tagger.py). The rows ride inside the spaCy model's own files; the tokenizer is the
accurate tier's `tokenizer.json`, attached when the model loads (`attach_tokenizer`), so the package
holds it once.

Registered as spaCy architectures, so `spacy.load` of a fast-tier folder needs this module imported.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from spacy.ml.featureextractor import FeatureExtractor
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, Ragged, chain, concatenate, list2ragged, ragged2list, with_array

from workers.stages.tag.encoder import word_pieces

CACHE_WORDS = 200_000  # words whose pieces are remembered per process (cleared when full)


class _Pieces:
    """A model's tokenizer and the rows of each word seen, built from its attrs once per process."""

    def __init__(self, attrs: dict[str, Any]) -> None:
        from tokenizers import Tokenizer  # noqa: PLC0415  (only processes that tag pay for it)

        self.tokenizer = Tokenizer.from_str(attrs["tokenizer"])
        self.chars = str.maketrans({int(k): v for k, v in json.loads(attrs["chars"]).items()})
        self.row_of: dict[int, int] = {int(piece): row for piece, row in attrs["row_of"]}
        self.space = int(attrs["space_piece"])
        self.cache: dict[str, list[int]] = {}

    def rows(self, words: list[str]) -> list[list[int]]:
        """Table rows of each word's pieces (a bare word-start piece left out when others follow)."""
        missing = [w for w in dict.fromkeys(words) if w not in self.cache]
        if missing:
            if len(self.cache) + len(missing) > CACHE_WORDS:
                self.cache.clear()
            for word, ids in zip(missing, word_pieces(self.tokenizer, self.chars, missing), strict=True):
                rows = [self.row_of[p] for p in ids if p != self.space and p in self.row_of]
                self.cache[word] = rows or [self.row_of[p] for p in ids if p in self.row_of]
        return [self.cache[w] for w in words]


_PIECES: dict[int, _Pieces] = {}  # by thinc model id; thinc would serialise anything kept in attrs


def _pieces(model: Model[list[Doc], Ragged]) -> _Pieces:
    if model.id not in _PIECES:
        _PIECES[model.id] = _Pieces(model.attrs)
    return _PIECES[model.id]


def _forward(model: Model[list[Doc], Ragged], docs: list[Doc], is_train: bool) -> tuple[Ragged, Any]:
    table: NDArray[np.float32] = np.asarray(model.get_param("E"))
    words = [t.text for doc in docs for t in doc]
    out = np.zeros((len(words), table.shape[1]), dtype=np.float32)
    if not model.attrs["tokenizer"] and table.shape[0] > 1:  # a trained table: zeros would tag silently worse
        raise RuntimeError("the piece layer has no tokenizer: load the model through attach_tokenizer")
    if model.attrs["tokenizer"]:  # empty only while spaCy initialises, before training sets the table
        rows = _pieces(model).rows(words)
        counts = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        if counts.any():  # one reduceat over all words: a mean per word in Python cost 10 % of the stage
            flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=int(counts.sum()))
            starts = np.cumsum(counts) - counts
            has = counts > 0
            out[has] = np.add.reduceat(table[flat], starts[has], axis=0) / counts[has, None]
    lengths = model.ops.asarray1i([len(doc) for doc in docs])
    return Ragged(model.ops.asarray2f(cast(Any, out)), lengths), lambda d_out: []  # frozen: nothing to learn


def _init(model: Model[list[Doc], Ragged], X: Any = None, Y: Any = None) -> None:  # noqa: N803  (thinc's names)
    """A placeholder table of the right width; training/fast_tagger.py puts the real rows in."""
    if not model.has_param("E") or model.get_param("E") is None:
        model.set_param("E", model.ops.alloc2f(1, model.get_dim("nO")))


def piece_vectors(dims: int) -> Model[list[Doc], Ragged]:
    return Model("piece_vectors", _forward, init=_init, dims={"nO": dims}, params={"E": None},
                 attrs={"tokenizer": "", "chars": "{}", "row_of": [], "space_piece": -1})


def piece_layer(nlp: Any) -> Model[list[Doc], Ragged]:
    (layer,) = [node for node in nlp.get_pipe("tok2vec").model.walk() if node.name == "piece_vectors"]
    return cast(Model[list[Doc], Ragged], layer)


def attach_tokenizer(nlp: Any, tokenizer_json: str) -> None:
    """Give a loaded pipeline's piece layer the tokenizer its rows were built with (kept out of its files)."""
    piece_layer(nlp).attrs["tokenizer"] = tokenizer_json


def piece_embed(width: int, attrs: list[str], rows: list[int], piece_dims: int) -> Model[list[Doc], list[Any]]:
    """spaCy's MultiHashEmbed with the piece vectors in place of static vectors."""
    embeddings: list[Model[Any, Any]] = [HashEmbed(width, n, column=i, seed=8 + i, dropout=0.0)
                                         for i, n in enumerate(rows)]
    hashed: Model[list[Doc], Ragged] = chain(FeatureExtractor(attrs), list2ragged(),
                                             with_array(concatenate(*embeddings)))
    return chain(concatenate(hashed, piece_vectors(piece_dims)),
                 with_array(Maxout(width, width * len(rows) + piece_dims, nP=3, dropout=0.0, normalize=True)),
                 ragged2list())


registry.architectures.register("news_ingest.PieceEmbed.v1", func=piece_embed)
