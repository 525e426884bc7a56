"""The fast tier: one spaCy CNN tagger per language, over the same words the encoder tier reads.

spaCy's own tokenizer is not used: the stage cuts sentences and words once (`words`), as the
training corpora were cut, and both tiers label those words, so their offsets agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workers.stages.tag.words import CharSpan, tag_text


def cast_weights(nlp: Any, dtype: type[np.floating[Any]]) -> None:
    """Every weight of a pipeline in `dtype`: float16 in the shipped files, float32 to compute."""
    for _, component in nlp.pipeline:
        for node in component.model.walk():
            for name in node.param_names:
                if node.has_param(name):
                    node.set_param(name, node.get_param(name).astype(dtype))


class CnnTagger:
    """Loads one language's spaCy pipeline (`config.cfg`, `meta.json`, `vocab/`, `tok2vec/`, `ner/`) once,
    with the piece tokenizer it was trained with (the accurate tier's `tokenizer.json`)."""

    def __init__(self, path: Path, tokenizer: Path) -> None:
        import spacy  # noqa: PLC0415  (only processes that tag pay for it)
        from thinc.api import use_ops  # noqa: PLC0415
        from threadpoolctl import threadpool_limits  # noqa: PLC0415

        from workers.stages.tag.pieces import attach_tokenizer  # noqa: PLC0415  (also registers the piece layer)

        # thinc's default matrix kernels (blis) ran 2.6x slower than numpy's OpenBLAS on an AVX2 core
        # (12 against 30 GMAC/s on the tok2vec's shapes): the model is built on numpy's instead, with
        # one BLAS thread, as the pool runs one process per core.
        threadpool_limits(1, user_api="blas")
        with use_ops("numpy", use_blis=False):
            self.nlp = spacy.load(path)
        attach_tokenizer(self.nlp, tokenizer.read_text(encoding="utf-8"))
        cast_weights(self.nlp, np.float32)  # the files store float16 (training/fast_tagger.py: export)

    def tag_tokens(self, sentences_of_tokens: list[list[str]]) -> list[list[tuple[int, int, str]]]:
        """Entities (first token, last token + 1, label) of pre-tokenised sentences."""
        from spacy.tokens import Doc  # noqa: PLC0415

        found = iter(self.nlp.pipe((Doc(self.nlp.vocab, words=tokens) for tokens in sentences_of_tokens if tokens),
                                   batch_size=256))
        return [[(e.start, e.end, e.label_) for e in next(found).ents] if tokens else []
                for tokens in sentences_of_tokens]

    def tag_text(self, text: str) -> list[CharSpan]:
        """Entities (start, end, label) with character offsets into `text`."""
        return tag_text(self.tag_tokens, text)
