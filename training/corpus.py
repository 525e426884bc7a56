"""Text the NER tools read: the labelled corpora, the dev pages' text, and Bundestag speeches.

Labelled: GermEval 2014 (CC BY 4.0) and Universal NER English (CC BY-SA), from the data folder.
Unlabelled: the HTML dev pages' visible text (their publishers' pages, used for the vocabulary and
silver labels only, never shipped) and speeches from `mathias-goebel/plenarsitzungsprotokolle`
(official Bundestag records; the repository states no licence), read from a bare git mirror.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html

GERMEVAL_TRAIN = "ner_de_germeval2014_train.jsonl.gz"
GERMEVAL_DEV = "ner_de_germeval2014.jsonl.gz"
UNER = "ner_en_uner.jsonl.gz"
PAGE_FILES = ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz",
              "extraction_fundus_eval.jsonl.gz", "dates_dev.jsonl.gz")


def rows(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def sentences(data_dir: Path, name: str, split: str | None = None) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) of one labelled file, optionally one `split` of it."""
    return [(r["tokens"], r["tags"]) for r in rows(data_dir / name) if split is None or r.get("split") == split]


def uner_draft(path: Path) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) of a UNER iob2 file (`index<TAB>token<TAB>tag`), OTH read as MISC, stray B-O as O.

    UNER's released English files tag PER/LOC/ORG only; its 2022 drafts (in the history of
    UniversalNER/UNER_English-EWT, CC BY-SA 4.0) still carry the OTH class, the nearest thing to MISC."""
    out: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").split("\n"), ""]:
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 3:
            tokens.append(cols[1])
            tag = cols[2].replace("OTH", "MISC")
            tags.append("O" if tag.endswith("-O") else tag)
        elif tokens:
            out.append((tokens, tags))
            tokens, tags = [], []
    return out


def with_draft_misc(released: list[tuple[list[str], list[str]]],
                    draft: list[tuple[list[str], list[str]]]) -> list[tuple[list[str], list[str]]]:
    """The released labels, plus the draft's MISC spans wherever the released file has O over the whole span.

    The release corrected PER/LOC/ORG in 540 of 12,543 training sentences, so those come from it; only
    MISC, which the release dropped, comes from the draft. Sentences must align one to one."""
    if [words for words, _ in released] != [words for words, _ in draft]:
        raise ValueError("the draft and the released file hold different sentences")
    merged = []
    for (words, released_tags), (_, draft_tags) in zip(released, draft, strict=True):
        tags = list(released_tags)
        i = 0
        while i < len(words):
            if draft_tags[i] == "B-MISC":
                end = i + 1
                while end < len(words) and draft_tags[end] == "I-MISC":
                    end += 1
                if all(tag == "O" for tag in tags[i:end]):
                    tags[i:end] = ["B-MISC"] + ["I-MISC"] * (end - i - 1)
                i = end
            else:
                i += 1
        merged.append((words, tags))
    return merged


def page_texts(data_dir: Path) -> Iterator[str]:
    """Visible text of every dev page (scripts and styles dropped)."""
    for name in PAGE_FILES:
        for row in rows(data_dir / name):
            try:
                tree = lxml.html.fromstring(row["html"])
            except (ValueError, lxml.etree.ParserError):
                continue
            for bad in tree.xpath("//script|//style|//noscript"):
                bad.drop_tree()
            yield tree.text_content()


def bundestag_texts(git_dir: Path, every: int = 1, limit: int | None = None) -> Iterator[str]:
    """Speeches (`komplett.txt`, one per speaker and agenda item), every `every`-th file."""
    names = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD", "data"],
                           check=True, capture_output=True, text=True).stdout.split("\n")
    chosen = [n for n in names if n.endswith("/komplett.txt")][::every][:limit]
    batch = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch"], check=True,
                           capture_output=True, input="".join(f"HEAD:{n}\n" for n in chosen).encode())
    out, pos = batch.stdout, 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        yield out[header_end + 1:header_end + 1 + size].decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
