"""The accurate tier: the fine-tuned multilingual e5-small encoder, int8, on ONNX Runtime.

The model labels words (the first piece of each word carries its BIO tag), so text is cut into words
and sentences first (`words`), and each sentence is one window of at most `max_pieces` pieces, as in
training (a longer sentence is cut). Windows run in batches of similar length so padding stays small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from workers.stages.tag.bio import best_tags, entity_spans
from workers.stages.tag.words import CharSpan, tag_text

BATCH_PIECES = 4096  # padded pieces per ONNX Runtime call: bounds memory on long articles
PAD_SLACK = 1.25     # a batch's longest window is at most this many times (plus 4 pieces) its shortest


def longest_batched_with(shortest: int) -> int:
    """The longest window a batch may take beside a window of `shortest` pieces."""
    return int(shortest * PAD_SLACK) + 4


def word_pieces(tokenizer: Any, chars: dict[int, str], tokens: list[str]) -> list[list[int]]:
    """Each word's piece ids, cut as in training: mapped through the model's character table
    (`chars.json`, as `str.maketrans` gives it) and split alone; a word left empty has no pieces.
    Both tiers read words this way (the fast tier's piece vectors are these pieces' rows)."""
    cleaned = [t.translate(chars).strip() for t in tokens]
    present = [i for i, t in enumerate(cleaned) if t]
    out: list[list[int]] = [[] for _ in tokens]
    if present:
        encoded = tokenizer.encode_batch([[cleaned[i]] for i in present], is_pretokenized=True)
        for i, enc in zip(present, encoded, strict=True):
            out[i] = enc.ids
    return out


@dataclass(frozen=True, slots=True)
class _Window:
    ids: list[int]
    first: list[int]      # piece index of each word's first piece, -1 for a word without pieces
    words: list[int]      # index of each word in the text's word list


def sentence_windows(pieces: list[list[int]], groups: list[list[int]], max_pieces: int) -> list[_Window]:
    """One window per group of words (sentence); a group longer than a window is cut.

    The model was trained on single sentences. Packing several sentences into one window (as this
    stage did before) puts text in a context the model never saw in training and cost 2.4 points
    of GermEval dev F1 (0.810 packed, 0.834 per sentence, the same int8 model; docs/entities.md).
    """
    windows: list[_Window] = []
    for group in groups:
        ids: list[int] = [0]
        first: list[int] = []
        members: list[int] = []
        for w in group:
            word = pieces[w][:max_pieces]
            if len(ids) - 1 + len(word) > max_pieces:
                windows.append(_Window([*ids, 2], first, members))
                ids, first, members = [0], [], []
            first.append(len(ids) if word else -1)
            members.append(w)
            ids.extend(word)
        if members:
            windows.append(_Window([*ids, 2], first, members))
    return windows


def length_batches(lengths: list[int], budget: int = BATCH_PIECES) -> list[list[int]]:
    """Indices of `lengths` in batches of similar length, shortest first.

    A batch pads every window to its longest and the model's cost follows the padded pieces, so a
    batch takes windows up to `longest_batched_with` its shortest, and at most `budget` padded pieces
    (sentence lengths vary a lot: 5 to 126 pieces in one article).
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    out: list[list[int]] = []
    for i in order:
        batch = out[-1] if out else []
        if batch and lengths[i] <= longest_batched_with(lengths[batch[0]]) and lengths[i] * (len(batch) + 1) <= budget:
            batch.append(i)
        else:
            out.append([i])
    return out


class EncoderTagger:
    """Loads one model folder (`model.onnx`, `tokenizer.json`, `chars.json`, `meta.json`) once."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime  # noqa: PLC0415  (only processes that tag pay for it)
        from tokenizers import Tokenizer  # noqa: PLC0415

        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self.labels: list[str] = meta["labels"]
        self.max_pieces: int = int(meta["max_pieces"]) - 2
        chars = json.loads((path / "chars.json").read_text(encoding="utf-8"))
        self.table = str.maketrans({int(k): v for k, v in chars.items()})
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path / "model.onnx"), options,
                                                    providers=["CPUExecutionProvider"])

    def _pieces(self, tokens: list[str]) -> list[list[int]]:
        return word_pieces(self.tokenizer, self.table, tokens)

    def _word_logits(self, windows: list[_Window], n_words: int) -> NDArray[np.float32]:
        """Logits of each word's first piece; a word without pieces (nothing the model can read) is O."""
        out = np.full((n_words, len(self.labels)), -30.0, dtype=np.float32)
        out[:, self.labels.index("O")] = 0.0
        for chunk in length_batches([len(w.ids) for w in windows]):
            width = len(windows[chunk[-1]].ids)
            ids = np.ones((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                ids[row, :len(windows[i].ids)] = windows[i].ids
                mask[row, :len(windows[i].ids)] = 1
            logits: NDArray[np.float32] = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
            for row, i in enumerate(chunk):
                window = windows[i]
                for pos, w in zip(window.first, window.words, strict=True):
                    if pos >= 0:
                        out[w] = logits[row, pos]
        return out

    def _tags(self, pieces: list[list[int]], groups: list[list[int]]) -> list[list[str]]:
        """Per sentence, the best valid BIO tags of its words."""
        logits = self._word_logits(sentence_windows(pieces, groups, self.max_pieces), len(pieces))
        return [best_tags(logits[group], self.labels) for group in groups]

    @staticmethod
    def _flatten(sentences_of_tokens: list[list[str]]) -> tuple[list[str], list[list[int]]]:
        flat = [t for sentence in sentences_of_tokens for t in sentence]
        groups, offset = [], 0
        for sentence in sentences_of_tokens:
            groups.append(list(range(offset, offset + len(sentence))))
            offset += len(sentence)
        return flat, groups

    def tag_tokens(self, sentences_of_tokens: list[list[str]]) -> list[list[tuple[int, int, str]]]:
        """Entities (first token, last token + 1, label) of pre-tokenised sentences."""
        flat, groups = self._flatten(sentences_of_tokens)
        return [entity_spans(tags) for tags in self._tags(self._pieces(flat), groups)]

    def tag_text(self, text: str) -> list[CharSpan]:
        """Entities (start, end, label) with character offsets into `text`."""
        return tag_text(self.tag_tokens, text)
