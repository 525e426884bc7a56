"""Silver labels for the fast tier: the shipped accurate tagger's entities over text without labels.

Why: the fast tier is a small convolutional tagger; trained on the gold sentences alone it stops near
0.74 on GermEval dev (the previous spaCy model). A student learns more from its teacher's labels on
text like the text it will tag at run time than from more epochs over the gold. The text is the dev
pages' body as trafilatura extracts it (the pages of `../shared/data`: their publishers' text, read
here for training only and never shipped) and, for English MISC, the UNER training sentences (the
released UNER has no MISC: the teacher's MISC spans are laid over the gold where the gold says O).
With `--plenary` it labels German Bundestag speeches instead (`mathias-goebel/plenarsitzungsprotokolle`,
official records of the 20th Bundestag; the repository states no licence, official documents are not
protected in Germany, UrhG section 5): dense in person, party and place names, which the dev pages are
not. Only sentences in which the teacher finds an entity are kept, plus a share of the others.

    python -m training.silver --out ~/.cache/news-ingest/ner/fast/silver.jsonl
    python -m training.silver --plenary /path/to/plenarsitzungsprotokolle.git \
        --out ~/.cache/news-ingest/ner/fast/silver-plenary.jsonl
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import subprocess
import time
from pathlib import Path

import orjson

from training import corpus
from workers.stages.tag import words as cut
from workers.stages.tag.bio import entity_spans

MIN_WORDS, MAX_WORDS = 4, 60
LANGUAGES = ("de", "en")
_TAGGER = None


def page_bodies(data_dir: Path) -> list[tuple[str, str]]:
    """(language, body text) of every German or English dev page."""
    import trafilatura  # noqa: PLC0415  (training only)

    from workers.stages.normalize.language import LanguageConfig, detect_language  # noqa: PLC0415

    out = []
    for name in corpus.PAGE_FILES:
        for row in corpus.rows(data_dir / name):
            body = trafilatura.extract(row["html"], favor_recall=True, include_comments=False) or ""
            if not body:
                continue
            language = row.get("lang") or detect_language(body, None, LanguageConfig())["code"]
            if language in LANGUAGES:
                out.append((language, body))
    return out


def plenary_texts(git_dir: Path, speeches: int, seed: int) -> list[str]:
    """The text of `speeches` speeches drawn at random from the repository's HEAD (one file each)."""
    names = subprocess.run(["git", "-C", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split("\n")
    files = sorted(n for n in names if re.search(r"-ID\d+\.txt$", n))  # one speech (not komplett.txt, not parts)
    chosen = random.Random(seed).sample(files, min(speeches, len(files)))
    batch = "".join(f"HEAD:{name}\n" for name in chosen)
    raw = subprocess.run(["git", "-C", str(git_dir), "cat-file", "--batch"], input=batch.encode(),
                         capture_output=True, check=True).stdout
    texts, at = [], 0
    while at < len(raw):
        header_end = raw.index(b"\n", at)
        size = int(raw[at:header_end].split()[2])
        texts.append(raw[header_end + 1:header_end + 1 + size].decode("utf-8", "replace"))
        at = header_end + 1 + size + 1
    return texts


def sentences_of(text: str) -> list[list[str]]:
    """Token lists of `text`, cut as the tag stage cuts text at run time."""
    found = []
    for begin, end in cut.sentences(text):
        tokens = [text[s:e] for s, e in cut.words(text, begin, end)]
        if MIN_WORDS <= len(tokens) <= MAX_WORDS:
            found.append(tokens)
    return found


def tags_from_spans(n: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n
    for first, end, label in spans:
        tags[first:end] = [f"B-{label}"] + [f"I-{label}"] * (end - first - 1)
    return tags


def with_teacher_misc(gold: list[str], teacher: list[str]) -> list[str]:
    """The gold tags, plus the teacher's MISC spans where the gold is O over the whole span."""
    tags = list(gold)
    for first, end, label in entity_spans(teacher):
        if label == "MISC" and all(t == "O" for t in tags[first:end]):
            tags[first:end] = ["B-MISC"] + ["I-MISC"] * (end - first - 1)
    return tags


def _init(model: str) -> None:
    global _TAGGER  # noqa: PLW0603  (one tagger per worker process)
    from workers.stages.tag.encoder import EncoderTagger  # noqa: PLC0415

    _TAGGER = EncoderTagger(Path(model), threads=1)


def _label(chunk: list[list[str]]) -> list[list[str]]:
    assert _TAGGER is not None
    return [tags_from_spans(len(tokens), spans) for tokens, spans in zip(chunk, _TAGGER.tag_tokens(chunk), strict=True)]


def label_all(sentences: list[list[str]], model: Path, processes: int) -> list[list[str]]:
    chunks = [sentences[i:i + 256] for i in range(0, len(sentences), 256)]
    out: list[list[str]] = []
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(processes, _init, (str(model),)) as pool:
        for done, tags in enumerate(pool.imap(_label, chunks), 1):
            out.extend(tags)
            if done % 20 == 0:
                print(f"teacher: {len(out)}/{len(sentences)} sentences, {time.monotonic() - started:.0f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--teacher", type=Path, default=Path("workers/models/ner-accurate"))
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache/news-ingest/ner/fast/silver.jsonl")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--plenary", type=Path, help="git directory of plenarsitzungsprotokolle: label its speeches")
    parser.add_argument("--speeches", type=int, default=4000)
    parser.add_argument("--keep-empty", type=float, default=0.2, help="share of entity-free sentences kept")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.plenary:
        write_plenary(args)
        return

    pages = [(lang, tokens) for lang, body in page_bodies(args.data_dir) for tokens in sentences_of(body)]
    seen: set[tuple[str, ...]] = set()
    pages = [(lang, t) for lang, t in pages if not (tuple(t) in seen or seen.add(tuple(t)))]  # type: ignore[func-returns-value]
    random.Random(args.seed).shuffle(pages)
    english = corpus.sentences(args.data_dir, corpus.UNER, "ewt-train")
    print(f"{len(pages)} page sentences, {len(english)} UNER train sentences", flush=True)
    tags = label_all([t for _, t in pages] + [w for w, _ in english], args.teacher, args.processes)
    with args.out.open("wb") as out:
        for (lang, tokens), page_tags in zip(pages, tags, strict=False):
            out.write(orjson.dumps({"lang": lang, "source": "pages", "tokens": tokens, "tags": page_tags}) + b"\n")
        for (tokens, gold), teacher_tags in zip(english, tags[len(pages):], strict=True):
            out.write(orjson.dumps({"lang": "en", "source": "uner-train", "tokens": tokens,
                                    "tags": with_teacher_misc(gold, teacher_tags)}) + b"\n")
    print(f"wrote {args.out}", flush=True)


def write_plenary(args: argparse.Namespace) -> None:
    seen: set[tuple[str, ...]] = set()
    found = [t for text in plenary_texts(args.plenary, args.speeches, args.seed) for t in sentences_of(text)]
    found = [t for t in found if not (tuple(t) in seen or seen.add(tuple(t)))]  # type: ignore[func-returns-value]
    print(f"{len(found)} plenary sentences", flush=True)
    rng = random.Random(args.seed)
    kept = 0
    with args.out.open("wb") as out:
        for tokens, tags in zip(found, label_all(found, args.teacher, args.processes), strict=True):
            if any(t != "O" for t in tags) or rng.random() < args.keep_empty:
                out.write(orjson.dumps({"lang": "de", "source": "plenary", "tokens": tokens, "tags": tags}) + b"\n")
                kept += 1
    print(f"wrote {kept} sentences to {args.out}", flush=True)


if __name__ == "__main__":
    main()
