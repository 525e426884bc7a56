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
