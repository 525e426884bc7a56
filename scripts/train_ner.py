"""Train the shipped NER pipelines (German: GermEval 2014, English: UNER EWT) with spaCy on CPU.

Reproducible: fixed seed, data read in place from `../shared/data`, the config written next to the
model. Model selection (best checkpoint) uses a held-out slice of the *training* data for German, so
the GermEval dev split stays an unseen evaluation set; English selects on ewt-dev.

    python -m scripts.train_ner --lang de          # -> workers/models/ner-de
    python -m scripts.train_ner --lang en          # -> workers/models/ner-en
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import spacy  # noqa: E402
from spacy.cli.train import train  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

import workers.stages.tag.model  # noqa: E402, F401  (registers the lexicon architecture and scorer)
from bench.devdata import rows  # noqa: E402
from bench.ner_corpus import ENGLISH, GERMAN_TRAIN, gold_doc, gold_spans, split_rows  # noqa: E402
from scripts import ner_lexicon  # noqa: E402

HELD_OUT = 1200  # German: last N training sentences pick the best checkpoint

# The settings of the shipped models (docs/entities.md); every one can be overridden on the command line.
PRESETS: dict[str, dict[str, Any]] = {
    "de": {"embed": "lexicon", "labels": "full", "augment": 0, "width": 192, "rows_norm": 16000,
           "rows_suffix": 8000, "epochs": 20, "eval_every": 400},
    "en": {"embed": "lexicon", "labels": "outer", "augment": 0, "width": 160, "rows_norm": 8000,
           "rows_suffix": 4000, "epochs": 25, "eval_every": 300},
}

CONFIG = """
[paths]
train = null
dev = null

[system]
seed = {seed}
gpu_allocator = null

[nlp]
lang = "{lang}"
pipeline = ["ner"]
batch_size = 256

[components]

[components.ner]
factory = "ner"
incorrect_spans_key = null
moves = null
scorer = {{"@scorers":"news_ingest.outer_ner_scorer.v1"}}
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = {hidden}
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[components.ner.model.tok2vec.embed]
{embed}

[components.ner.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = 1
maxout_pieces = 3

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0
gold_preproc = true
limit = 0
augmenter = null

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0
gold_preproc = true
limit = 0
augmenter = null

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = {dropout}
accumulate_gradient = 1
patience = {patience}
max_epochs = {epochs}
max_steps = {max_steps}
eval_frequency = {eval_every}
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
ents_per_type = null

[pretraining]

[initialize]
vectors = null
init_tok2vec = null
vocab_data = null
lookups = null
after_init = null
{before_init}

[initialize.components]

[initialize.tokenizer]
"""


EMBEDS = {
    # hashed NORM, first letter, last three letters and word shape
    "multihash": """@architectures = "spacy.MultiHashEmbed.v2"
width = {width}
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [{rows_norm}, 500, {rows_suffix}, 500]
include_static_vectors = false""",
    # hashed NORM plus the first and last four characters, each embedded: more signal for unseen names
    # the same, plus the lexicon bits of each token (workers/stages/tag/model.py)
    "lexicon": """@architectures = "news_ingest.LexiconMultiHashEmbed.v1"
width = {width}
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [{rows_norm}, 500, {rows_suffix}, 500]
lexicon_rows = 256""",
    "character": """@architectures = "spacy.CharacterEmbed.v2"
width = {width}
rows = {rows_norm}
nM = 64
nC = 8
include_static_vectors = false""",
}


CARDS = {
    "de": ("CC-BY-SA-4.0", "German NER (PER/LOC/ORG/MISC) trained on GermEval 2014 train (Benikova et al., "
           "LREC 2014, CC BY 4.0) with a lexicon from German Wiktionary (CC BY-SA 4.0), GeoNames (CC BY 4.0), "
           "Debian iso-codes and US census names; ShareAlike: redistribute under the same licence"),
    "en": ("CC-BY-SA-4.0", "English NER (PER/LOC/ORG) trained on Universal NER English-EWT train "
           "(Mayhew et al., NAACL 2024) with the German model's lexicon (names and places from GeoNames, "
           "Debian iso-codes, US census, Wiktionary); ShareAlike: redistribute under the same licence"),
}


def stamp_meta(model: Path, lang: str) -> None:
    """Name, licence and description in meta.json; any spaCy 3.8.x loads the model without a warning."""
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    meta["license"], meta["description"] = CARDS[lang]
    meta.update(name=f"news_ingest_ner_{lang}", version="1.0.0", spacy_version=">=3.8.0,<3.9.0",
                url="docs/entities.md")
    (model / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def corpus(lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train rows, model-selection rows) for one language."""
    if lang == "de":
        train_rows = list(rows(GERMAN_TRAIN))
        return train_rows[:-HELD_OUT], train_rows[-HELD_OUT:]
    every = list(rows(ENGLISH))
    return list(split_rows(every, "ewt-train")), list(split_rows(every, "ewt-dev"))


def full_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A GermEval row on its original outer labels (derivations and parts kept, OTH named MISC)."""
    return {**row, "tags": [tag.replace("OTH", "MISC") for tag in row["tags_orig"]]}


def swap_mentions(sentences: list[dict[str, Any]], copies: int, seed: int) -> list[dict[str, Any]]:
    """Mention replacement: `copies` extra versions of each sentence with entities, every entity swapped
    for a random entity of the same label from the training set (the context stays, the names vary),
    so the model leans on context and word shape instead of memorising the names it saw."""
    rng = random.Random(seed)  # noqa: S311  (reproducible augmentation, not security)
    pools: dict[str, list[list[str]]] = {}
    for row in sentences:
        for start, end, label in sorted(gold_spans(row["tags"])):
            pools.setdefault(label, []).append(row["tokens"][start:end])
    extra = []
    for row in sentences:
        spans = sorted(gold_spans(row["tags"]))
        for _ in range(copies if spans else 0):
            tokens: list[str] = []
            tags: list[str] = []
            cursor = 0
            for start, end, label in spans:
                tokens += row["tokens"][cursor:start]
                tags += row["tags"][cursor:start]
                name = rng.choice(pools[label])
                tokens += name
                tags += [f"B-{label}"] + [f"I-{label}"] * (len(name) - 1)
                cursor = end
            tokens += row["tokens"][cursor:]
            tags += row["tags"][cursor:]
            extra.append({"tokens": tokens, "tags": tags})
    return sentences + extra


def write_docbin(lang: str, sentences: list[dict[str, Any]], path: Path) -> None:
    vocab = spacy.blank(lang).vocab
    DocBin(docs=(gold_doc(vocab, row) for row in sentences)).to_disk(path)


def before_init(embed: str, lexicon: Path) -> str:
    """The initialize.before_init block: load the lexicon into the vocab when the embedding uses it."""
    if embed != "lexicon":
        return "before_init = null"
    return f'[initialize.before_init]\n@callbacks = "news_ingest.add_lexicon.v1"\npath = "{lexicon}"\n'


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("de", "en"), required=True)
    parser.add_argument("--width", type=int)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--embed", choices=sorted(EMBEDS))
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--rows-norm", type=int)
    parser.add_argument("--rows-suffix", type=int)
    parser.add_argument("--dropout", type=float, default=0.15)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--patience", type=int, default=3000,
                        help="steps without improvement before stopping")
    parser.add_argument("--eval-every", type=int)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after N updates (0: epochs/patience)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--labels", choices=("outer", "full"),
                        help="German: train on the four outer labels, or on GermEval's full outer set "
                             "(derivations and parts as labels of their own, dropped when tagging)")
    parser.add_argument("--augment", type=int,
                        help="extra copies of each training sentence with its entities swapped (mention replacement)")
    parser.add_argument("--lexicon", type=Path, help="lexicon JSON for --embed lexicon "
                        "(default: <work>/lexicon.json, built by scripts/ner_lexicon.py)")
    parser.add_argument("--work", type=Path, default=REPO / ".cache" / "ner")
    parser.add_argument("--out", type=Path, default=None, help="default: workers/models/ner-<lang>")
    args = parser.parse_args(argv)
    for key, value in PRESETS[args.lang].items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    work = args.work / args.lang
    work.mkdir(parents=True, exist_ok=True)
    train_rows, select_rows = corpus(args.lang)
    lexicon = args.lexicon or args.work / "lexicon.json"  # one lexicon for both languages: names and places
    if args.embed == "lexicon" and not lexicon.exists():
        ner_lexicon.main(["--out", str(lexicon)])
    if args.labels == "full":
        train_rows = [full_labels(row) for row in train_rows]
    if args.augment:
        train_rows = swap_mentions(train_rows, args.augment, args.seed)
    write_docbin(args.lang, train_rows, work / "train.spacy")
    write_docbin(args.lang, select_rows, work / "select.spacy")
    embed = EMBEDS[args.embed].format(width=args.width, rows_norm=args.rows_norm, rows_suffix=args.rows_suffix)
    config = CONFIG.format(
        embed=embed, lang=args.lang, seed=args.seed, width=args.width, depth=args.depth, hidden=args.hidden,
        rows_norm=args.rows_norm, rows_suffix=args.rows_suffix, dropout=args.dropout,
        epochs=args.epochs, patience=args.patience, eval_every=args.eval_every, max_steps=args.max_steps,
        before_init=before_init(args.embed, lexicon))
    (work / "config.cfg").write_text(config, encoding="utf-8")
    print(f"training {args.lang}: {len(train_rows)} sentences, selecting on {len(select_rows)}", flush=True)
    train(work / "config.cfg", work / "output", use_gpu=-1,
          overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "select.spacy")})
    out = args.out or REPO / "workers" / "models" / f"ner-{args.lang}"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(work / "output" / "model-best", out)
    stamp_meta(out, args.lang)
    print(f"model written to {out}", flush=True)


if __name__ == "__main__":
    main()
