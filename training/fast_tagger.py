"""The fast tier: a spaCy CNN tagger per language, trained on gold sentences and the teacher's silver labels.

Why spaCy's CNN and not a cut-down encoder: at 20 articles per CPU second on an AVX2 core the encoder
allows about one transformer layer, and cut-down encoders stopped near 0.60 (docs/entities.md). The
CNN reads hashed word features (lower case, prefix, suffix, shape) and static vectors, which it takes
from the encoder: each word's vector is the mean of its pieces' rows in the shipped model's embedding
table, reduced by PCA, so the student starts from what the teacher's input layer knows about words.

    python -m training.silver                     # once: the teacher's labels (training/silver.py)
    python -m training.fast_tagger --lang de      # then per language, one core each
    python -m training.fast_tagger --lang en
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from training import corpus

CONFIG = Path(__file__).with_name("fast_tagger.cfg")
# ShareAlike from UNER English-EWT, through the teacher's labels for German too (the accurate tier is CC BY-SA)
LICENCE = dict.fromkeys(("de", "en"), "CC BY-SA 4.0")
DATA = {
    "de": ["GermEval 2014 train (CC BY 4.0)",
           "the accurate tier's labels on the German dev pages' text (training only, not shipped)",
           "the accurate tier's labels on Bundestag speeches (mathias-goebel/plenarsitzungsprotokolle; "
           "official records, UrhG section 5)"],
    "en": ["the accurate tier's labels on the English dev pages' text (training only, not shipped)",
           "Universal NER English-EWT train (CC BY-SA 4.0) with the accurate tier's MISC over gold O"],
}
WORK = Path.home() / ".cache/news-ingest/ner/fast"


def gold(data_dir: Path, lang: str) -> tuple[list[tuple[list[str], list[str]]], list[tuple[list[str], list[str]]]]:
    """(train, dev) gold sentences; English train comes from the silver file (UNER plus the teacher's MISC)."""
    if lang == "de":
        return (corpus.sentences(data_dir, corpus.GERMEVAL_TRAIN), corpus.sentences(data_dir, corpus.GERMEVAL_DEV))
    return [], corpus.sentences(data_dir, corpus.UNER, "ewt-dev")


def silver(paths: list[Path], lang: str, limit: int | None) -> list[tuple[list[str], list[str]]]:
    """One language's silver sentences: all of UNER train, and at most `limit` of the unlabelled text."""
    rows = [orjson.loads(line) for path in paths for line in path.read_bytes().splitlines()]
    kept = [(r["tokens"], r["tags"]) for r in rows if r["lang"] == lang and r["source"] == "uner-train"]
    text = [(r["tokens"], r["tags"]) for r in rows if r["lang"] == lang and r["source"] != "uner-train"]
    return kept + text[:limit]


def piece_table(model_dir: Path) -> tuple[NDArray[np.float32], object, dict[int, str]]:
    """The shipped accurate model's word-embedding table (dequantised), its tokenizer and char table."""
    import onnx  # noqa: PLC0415  (training only)
    from onnx import numpy_helper  # noqa: PLC0415
    from tokenizers import Tokenizer  # noqa: PLC0415

    tensors = {t.name: t for t in onnx.load(str(model_dir / "model.onnx")).graph.initializer
               if t.name.startswith("roberta.embeddings.word_embeddings")}
    name = "roberta.embeddings.word_embeddings.weight"
    q = numpy_helper.to_array(tensors[f"{name}_quantized"]).astype(np.float32)
    scale = float(numpy_helper.to_array(tensors[f"{name}_scale"]))
    zero = float(numpy_helper.to_array(tensors[f"{name}_zero_point"]))
    chars = {int(k): v for k, v in json.loads((model_dir / "chars.json").read_text(encoding="utf-8")).items()}
    return (q - zero) * scale, Tokenizer.from_file(str(model_dir / "tokenizer.json")), chars


def piece_rows(words: list[str], model_dir: Path, dims: int) -> dict[str, Any]:
    """The piece layer's contents: the pieces the training words use, their rows of the encoder's
    embedding table reduced by PCA to `dims` (unit variance), the tokenizer and the char table."""
    from workers.stages.tag.encoder import word_pieces  # noqa: PLC0415

    table, tokenizer, chars = piece_table(model_dir)
    used = sorted({p for ids in word_pieces(tokenizer, str.maketrans(chars), words) for p in ids if p > 3})
    rows = table[used]
    centred = rows - rows.mean(0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:dims].T
    return {"E": (reduced / reduced.std()).astype(np.float32),
            "tokenizer": (model_dir / "tokenizer.json").read_text(encoding="utf-8"),
            "chars": json.dumps({str(k): v for k, v in chars.items()}),
            "row_of": [[piece, row] for row, piece in enumerate(used)],
            "space_piece": tokenizer.token_to_id("▁")}  # type: ignore[attr-defined]


def docbin(sentences: list[tuple[list[str], list[str]]], path: Path) -> None:
    import spacy  # noqa: PLC0415
    from spacy.tokens import Doc, DocBin  # noqa: PLC0415

    vocab = spacy.blank("xx").vocab
    bin_ = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"])
    for words, tags in sentences:
        bin_.add(Doc(vocab, words=words, ents=tags))
    bin_.to_disk(path)


def fill_piece_layer(nlp: Any, contents: dict[str, Any]) -> None:
    """Put the piece table into the initialised pipeline's piece layer (before training)."""
    from workers.stages.tag.pieces import piece_layer  # noqa: PLC0415

    layer = piece_layer(nlp)
    layer.set_param("E", contents["E"])
    for key in ("tokenizer", "chars", "row_of", "space_piece"):
        layer.attrs[key] = contents[key]


def export(trained: Path, out: Path, meta: dict[str, Any], teacher: Path) -> None:
    """Write a trained pipeline where the tag stage loads it, its weights stored as float16.

    Half the bytes (both languages then fit beside the accurate tier in the 60 MB NER budget);
    `CnnTagger` widens them back to float32 when it loads, so the arithmetic is unchanged. The piece
    tokenizer is left out: the stage attaches the accurate tier's, which must be the one trained with."""
    import spacy  # noqa: PLC0415

    from workers.stages.tag.cnn import cast_weights  # noqa: PLC0415
    from workers.stages.tag.pieces import piece_layer  # noqa: PLC0415  (also registers the piece layer)

    nlp = spacy.load(trained)
    layer = piece_layer(nlp)
    if layer.attrs["tokenizer"] != (teacher / "tokenizer.json").read_text(encoding="utf-8"):
        raise SystemExit(f"{trained} was trained with another tokenizer than {teacher}'s")
    layer.attrs["tokenizer"] = ""
    cast_weights(nlp, np.float16)
    nlp.meta.update(meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    # The string store holds every training word (3.8 MB for German); tagging needs none of them (the
    # features are hashes, and `Doc` adds the words it reads), only the entity labels.
    labels = sorted({label for _, component in nlp.pipeline for label in getattr(component, "labels", ())})
    (out / "vocab" / "strings.json").write_text(json.dumps(labels), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", choices=("de", "en"), required=True)
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--teacher", type=Path, default=Path("workers/models/ner-accurate"))
    parser.add_argument("--silver", type=Path, nargs="+", default=[WORK / "silver.jsonl"],
                        help="files written by training.silver")
    parser.add_argument("--silver-limit", type=int, help="unlabelled-text sentences at most (default all)")
    parser.add_argument("--dims", type=int, default=48, help="width of the piece vectors (PCA of the encoder's)")
    parser.add_argument("--max-steps", type=int, default=12000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override a setting of fast_tagger.cfg (a JSON value), e.g. "
                             "components.tok2vec.model.encode.width=128")
    parser.add_argument("--export", type=Path, metavar="TRAINED",
                        help="instead of training: write this trained pipeline to workers/models/ner-fast/LANG")
    args = parser.parse_args()
    if args.export:
        export(args.export, Path(f"workers/models/ner-fast/{args.lang}"), {
            "name": f"news-ingest ner-fast-{args.lang}", "teacher": "workers/models/ner-accurate",
            "license": LICENCE[args.lang],
            "data": DATA[args.lang], "trained": {"seed": args.seed, "settings": args.set}}, args.teacher)
        return
    import spacy  # noqa: PLC0415
    from spacy.training.initialize import init_nlp  # noqa: PLC0415
    from spacy.training.loop import train  # noqa: PLC0415

    import workers.stages.tag.pieces  # noqa: F401, PLC0415  (registers the piece layer)

    out = args.out or WORK / args.lang
    out.mkdir(parents=True, exist_ok=True)
    train_gold, dev = gold(args.data_dir, args.lang)
    sentences = train_gold + silver(args.silver, args.lang, args.silver_limit)
    random.Random(args.seed).shuffle(sentences)
    print(f"{args.lang}: {len(sentences)} training sentences, {len(dev)} dev", flush=True)
    docbin(sentences, out / "train.spacy")
    docbin(dev, out / "dev.spacy")
    config = spacy.util.load_config(CONFIG, overrides={
        "paths.train": str(out / "train.spacy"), "paths.dev": str(out / "dev.spacy"), "system.seed": args.seed,
        "training.max_steps": args.max_steps,
        "components.tok2vec.model.embed.piece_dims": args.dims,
        **{key: json.loads(value) for key, value in (item.split("=", 1) for item in args.set)}}, interpolate=False)
    nlp = init_nlp(config)
    contents = piece_rows(sorted({w for words, _ in sentences for w in words}), args.teacher, args.dims)
    fill_piece_layer(nlp, contents)
    print(f"piece table: {contents['E'].shape[0]} pieces x {args.dims}", flush=True)
    (out / "model").mkdir(exist_ok=True)
    train(nlp, out / "model")


if __name__ == "__main__":
    main()
