"""Near-duplicate dev set: real article bodies from ../shared/data, changed the way syndication does.

Originals are the hand-annotated bodies of the Fundus set (English, 16 publishers) and the bodies
trafilatura extracts from the German pages of the trafilatura set. Each original gets 0-3 copies,
each made by 2-4 of: different surrounding boilerplate (real `without` snippets of another site),
10-30 % of sentences dropped, a paragraph of another story inserted, regional spellings
(`Januar` -> `Jänner`, ...), truncation to the lead, a new title line. Hard negatives are built in:
all originals of one site carry that site's boilerplate, so different stories from one site share
their template. Originals that already overlap (exact 5-shingle Jaccard >= 0.2, e.g. two pages of
one live blog) are dropped first, so that a label never contradicts the text.

Deterministic for a given seed. Output is not committed: `python -m bench.dedup_devset --out FILE`.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from bench.devdata import REPO, rows

DEFAULT_OUT = REPO / ".cache" / "dedup_devset.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'„“A-ZÄÖÜ0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)

# Regional and house-style spellings a syndicating outlet may apply (both directions are used).
SPELLINGS = [("Januar", "Jänner"), ("Februar", "Feber"), ("Tomaten", "Paradeiser"), ("Kartoffeln", "Erdäpfel"),
             ("Sahne", "Obers"), ("Aprikosen", "Marillen"), ("color", "colour"), ("center", "centre"),
             ("organization", "organisation"), ("recognize", "recognise"), ("defense", "defence"),
             ("percent", "per cent"), ("program", "programme")]


@dataclass
class Doc:
    id: str
    story: str
    site: str
    text: str
    published_at: str
    kind: str  # original | copy
    ops: list[str]


def _site(url: str) -> str:
    host = urlsplit(url).netloc or url.rsplit("::", maxsplit=1)[-1].split("-", maxsplit=1)[0].removesuffix(".html")
    return host.lower().removeprefix("www.") or "unknown"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.split(paragraph) if s.strip()]


def _shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    tokens = [t.casefold() for t in _WORD.findall(text)]
    return {tuple(tokens[i:i + k]) for i in range(max(len(tokens) - k + 1, 1))}


def load_bodies(german_pages: int) -> Iterator[tuple[str, str, str]]:
    """(id, site, body) of real articles: Fundus annotated bodies, then trafilatura on German pages."""
    for row in rows("extraction_fundus_eval.jsonl.gz"):
        yield row["id"], row["id"].rsplit("_", 1)[0], row["expected_body"]
    import trafilatura  # noqa: PLC0415  (only the generator needs it)

    taken = 0
    for name in ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz"):
        for row in rows(name):
            if taken >= german_pages:
                return
            if row["lang"] != "de":
                continue
            body = trafilatura.extract(row["html"], include_comments=False) or ""
            if len(_WORD.findall(body)) >= 150:
                taken += 1
                yield row["id"], _site(row["url"]), body


def boilerplate_pools() -> dict[str, list[str]]:
    """Real boilerplate lines (`without` snippets) per site of the trafilatura set."""
    pools: dict[str, list[str]] = defaultdict(list)
    for name in ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz"):
        for row in rows(name):
            pools[_site(row["url"])].extend(s for s in row["without"] if 3 <= len(s.split()) <= 30)
    return {k: v for k, v in pools.items() if len(v) >= 3}


def _distinct(bodies: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    kept: list[tuple[str, str, str, set[tuple[str, ...]]]] = []
    for id_, site, body in bodies:
        sh = _shingles(body)
        if all(len(sh & other) / len(sh | other) < 0.2 for *_, other in kept):
            kept.append((id_, site, body, sh))
    return [(i, s, b) for i, s, b, _ in kept]


class Syndicator:
    """The transformations, each a pure function of the text and the seeded generator."""

    def __init__(self, rng: random.Random, pools: dict[str, list[str]], others: list[str]) -> None:
        self.rng = rng
        self.pools = pools
        self.sites = sorted(pools)
        self.others = others

    def boilerplate(self, text: str, site: str | None = None) -> str:
        pool = self.pools[site or self.rng.choice(self.sites)]
        head = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))
        tail = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))
        return "\n".join([*head, "", text, "", *tail])

    def drop_sentences(self, text: str) -> str:
        paras = [_sentences(p) for p in _paragraphs(text)]
        total = sum(map(len, paras))
        share = self.rng.uniform(0.10, 0.30)
        drop = set(self.rng.sample(range(total), int(total * share)))
        out, n = [], 0
        for sents in paras:
            kept = [s for i, s in enumerate(sents, start=n) if i not in drop]
            n += len(sents)
            if kept:
                out.append(" ".join(kept))
        return "\n\n".join(out)

    def insert_paragraph(self, text: str) -> str:
        paras = _paragraphs(text)
        # a paragraph is a few sentences: some extracted bodies are one long block, cut it down
        donor = _sentences(self.rng.choice(_paragraphs(self.rng.choice(self.others))))
        start = self.rng.randrange(len(donor)) if donor else 0
        inserted = " ".join(donor[start:start + self.rng.randint(1, 3)])
        paras.insert(self.rng.randint(1, max(len(paras), 1)), " ".join(inserted.split()[:80]))
        return "\n\n".join(paras)

    def spelling(self, text: str) -> str:
        for a, b in SPELLINGS:
            text = text.replace(a, b) if self.rng.random() < 0.5 else text.replace(b, a)
        return text

    def lead(self, text: str) -> str:
        """The first paragraphs, at least 60 words and at most about half of the text."""
        paras, out = _paragraphs(text), []
        limit = max(60, int(len(_WORD.findall(text)) * self.rng.uniform(0.3, 0.5)))
        for p in paras:
            out.append(p)
            if len(_WORD.findall("\n".join(out))) >= limit:
                break
        return "\n\n".join(out)

    def title(self, text: str) -> str:
        words = _WORD.findall(self.rng.choice(_sentences(_paragraphs(text)[0]) or [text]))
        head = " ".join(self.rng.sample(words, min(len(words), self.rng.randint(4, 9))))
        return f"{head.capitalize()}\n\n{text}"


OPS = ("boilerplate", "drop_sentences", "insert_paragraph", "spelling", "lead", "title")


def build(seed: int = 20260101, german_pages: int = 260) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    bodies = _distinct(list(load_bodies(german_pages)))
    pools = boilerplate_pools()
    syn = Syndicator(rng, pools, [b for _, _, b in bodies])
    sites = sorted({s for _, s, _ in bodies})
    site_template = {site: site if site in pools else rng.choice(syn.sites) for site in sites}
    docs: list[Doc] = []
    for id_, site, body in bodies:
        base = 1_767_225_600 + rng.randint(0, 5 * 86400)  # 2026-01-01 + up to 5 days
        docs.append(Doc(f"{id_}", id_, site, syn.boilerplate(body, site_template[site]), _iso(base), "original", []))
        for n in range(rng.choice((0, 1, 1, 2, 2, 3))):
            ops = rng.sample(OPS, rng.randint(2, 4))
            text = body
            for op in sorted(ops, key=OPS.index):  # transform the body first, wrap it last
                text = getattr(syn, op)(text) if op != "boilerplate" else text
            if "boilerplate" in ops:
                text = syn.boilerplate(text)
            published = _iso(base + rng.randint(600, 36 * 3600))
            docs.append(Doc(f"{id_}~{n}", id_, f"copy-{n}", text, published, "copy", ops))
    rng.shuffle(docs)  # arrival order is not publication order: late arrivals happen
    return [doc.__dict__ for doc in docs]


def _iso(ts: int) -> str:
    from datetime import UTC, datetime  # noqa: PLC0415

    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def load_or_build(path: Path = DEFAULT_OUT, seed: int = 20260101) -> list[dict[str, Any]]:
    """The dev set from `path` if it was generated with `seed`, else build and cache it there."""
    marker = path.with_suffix(f".{seed}.ok")
    if path.exists() and marker.exists():
        return [orjson.loads(line) for line in path.read_bytes().splitlines()]
    docs = build(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    marker.touch()
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    docs = build(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    stories = {d["story"] for d in docs}
    print(f"{len(docs)} documents, {len(stories)} stories, {sum(d['kind'] == 'copy' for d in docs)} copies "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
