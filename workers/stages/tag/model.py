"""Custom parts of the shipped NER models: a lexicon feature, and training on GermEval's full label set.

Lexicon: what a word list knows about a token, as one more hashed embedding.

A model trained from scratch on 24,000 GermEval sentences has never seen most names and most German
nouns; in German both are capitalised, so the capital letter does not tell them apart. A lexicon
does: `Regierung` is a common noun, `Moskau` a place, `Peter` a first name. The lexicon is a vocab
lookup table (string -> bit mask) saved inside the model (`vocab/lookups.bin`), so it ships with the
model and needs no download; `scripts/ner_lexicon.py` builds it from open word lists.

Labels: GermEval marks derivations (`deutschen`, LOCderiv) and names inside compounds
(`EU-Kommission`, ORGpart) with labels of their own; the outer evaluation counts them as no entity.
Training on them as separate labels gives the model cleaner classes than folding them into O; the
tag stage and the scorer keep only the four outer labels (`OUTER_LABELS`).

Importing this module registers the architecture, the initialisation callback and the scorer with
spaCy, so it must be imported before a model that uses them is loaded or trained.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy
from numpy.typing import NDArray
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.ml.featureextractor import FeatureExtractor
from spacy.scorer import Scorer
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints2d, Ragged

TABLE = "news_ingest_lexicon"
OUTER_LABELS = frozenset({"PER", "ORG", "LOC", "MISC"})

# Bits of a lexicon entry; one word can carry several (`Paris` is a place and a first name).
NOUN, FIRST_NAME, SURNAME, PLACE, PROPER_NAME, ABBREVIATION = 1, 2, 4, 8, 16, 32


# Per vocab (one per loaded model): the lexicon as sorted key and value arrays.
_ARRAYS: dict[int, tuple[Any, NDArray[numpy.uint64], NDArray[numpy.uint64]]] = {}


def _as_arrays(table: Any) -> tuple[NDArray[numpy.uint64], NDArray[numpy.uint64]]:
    keys = numpy.fromiter(table.keys(), dtype=numpy.uint64, count=len(table))
    values = numpy.fromiter(table.values(), dtype=numpy.uint64, count=len(table))
    order = numpy.argsort(keys)
    return keys[order], values[order]


def _lexicon_arrays(vocab: Any) -> tuple[NDArray[numpy.uint64], NDArray[numpy.uint64]]:
    """Sorted keys and values of a vocab's lexicon, built once per vocab: looking a whole doc up with
    one `searchsorted` is ~4x faster than a dict lookup per token in Python."""
    cached = _ARRAYS.get(id(vocab))
    if cached is None or cached[0] is not vocab:
        cached = _ARRAYS[id(vocab)] = (vocab, *_as_arrays(vocab.lookups.get_table(TABLE, {})))
    return cached[1], cached[2]


def compact_lexicon(nlp: Language) -> None:
    """After loading a model: keep its lexicon only as the two arrays and drop the lookup table.

    The table is a Python dict of 532,312 entries (~60 MB per loaded model); the arrays take 8.5 MB.
    A compacted pipeline tags as before but cannot be saved with its lexicon, so training never
    calls this.
    """
    if nlp.vocab.lookups.has_table(TABLE):
        _lexicon_arrays(nlp.vocab)
        nlp.vocab.lookups.remove_table(TABLE)


def lexicon_column(docs: list[Doc]) -> list[Ints2d]:
    """One column per doc: the lexicon bits of each token (0 when the word is not listed)."""
    columns: list[Ints2d] = []
    for doc in docs:
        keys, values = _lexicon_arrays(doc.vocab)
        orths = doc.to_array(ORTH).astype(numpy.uint64)
        if len(keys):
            where = numpy.minimum(numpy.searchsorted(keys, orths), len(keys) - 1)
            bits = numpy.where(keys[where] == orths, values[where], 0).astype(numpy.uint64)
        else:
            bits = numpy.zeros(len(doc), dtype=numpy.uint64)
        columns.append(cast(Ints2d, bits.reshape((len(doc), 1))))
    return columns


def _with_lexicon(attrs: list[str | int]) -> Model[list[Doc], list[Ints2d]]:
    """spaCy's FeatureExtractor, plus the lexicon column appended as the last feature."""
    base = FeatureExtractor(attrs)

    def forward(model: Model[list[Doc], list[Ints2d]], docs: list[Doc],
                is_train: bool) -> tuple[list[Ints2d], Callable[[Any], list[Doc]]]:
        features, _ = base(docs, is_train)
        joined = [model.ops.asarray2i(cast(Ints2d, numpy.hstack([numpy.asarray(f), numpy.asarray(lex)])),
                                      dtype="uint64")
                  for f, lex in zip(features, lexicon_column(docs), strict=True)]
        return joined, lambda _d_features: []

    return Model("lexicon_features", forward, layers=[base])


def lexicon_multi_hash_embed(width: int, attrs: list[str | int], rows: list[int],
                             lexicon_rows: int) -> Model[list[Doc], list[Floats2d]]:
    """spaCy's MultiHashEmbed (hashed NORM, PREFIX, SUFFIX, SHAPE...) with the lexicon bits as one more
    embedded feature; mixed by the same Maxout layer."""
    all_rows = [*rows, lexicon_rows]
    embeddings: list[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, rows_i, column=i, seed=8 + i, dropout=0.0) for i, rows_i in enumerate(all_rows)]
    return chain(
        _with_lexicon(attrs),
        cast(Model[list[Ints2d], Ragged], list2ragged()),
        with_array(concatenate(*embeddings)),
        with_array(Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )


def add_lexicon(path: str) -> Callable[[Language], Language]:
    """Initialisation callback: load the lexicon (JSON {word: bits}) into the vocab before training."""
    def before_init(nlp: Language) -> Language:
        entries: dict[str, int] = json.loads(Path(path).read_text(encoding="utf-8"))
        # keyed by the words' hashes, without adding the words to the StringStore (the model never
        # needs them as strings; 532k strings would add ~9 MB to the model and more to its memory)
        nlp.vocab.lookups.add_table(TABLE, {get_string_id(word): bits for word, bits in entries.items()})
        return nlp

    return before_init


def outer_entities(doc: Doc) -> list[Any]:
    """The entities of a doc with one of the four outer labels (derivations and parts dropped)."""
    return [ent for ent in doc.ents if ent.label_ in OUTER_LABELS]


def _score_outer(examples: list[Example], **kwargs: Any) -> dict[str, Any]:
    return Scorer.score_spans(examples, "ents", getter=lambda doc, _attr: outer_entities(doc),
                              has_annotation=lambda doc: True, **kwargs)


def outer_ner_scorer() -> Callable[..., dict[str, Any]]:
    """Checkpoint selection on the outer labels only, as the benchmark scores."""
    return _score_outer


# Registered by name: the shipped models' config.cfg refers to these.
registry.architectures.register("news_ingest.LexiconMultiHashEmbed.v1", func=lexicon_multi_hash_embed)
registry.callbacks.register("news_ingest.add_lexicon.v1", func=add_lexicon)
registry.scorers.register("news_ingest.outer_ner_scorer.v1", func=outer_ner_scorer)
