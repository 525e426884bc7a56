"""Near-duplicate dev set: real article bodies from ../shared/data, changed the way syndication does.

Originals are the hand-annotated bodies of the Fundus set (English, 16 publishers) and the bodies
trafilatura extracts from German pages of the trafilatura and htmldate sets; about one in eight
originals is cut to a short flash (20-70 words). Every page wears real chrome: navigation, promo
and footer lines taken from *other real pages of the same language* (link, list and button texts
of the page plus the trafilatura set's `without` snippets). Originals of one site share one page's
chrome (hard negatives: different stories in one site's template). Each original gets 0-3 copies,
each made by 2-5 of: another site's chrome (20-50 lines on a third of them, 2-8 otherwise),
10-30 % of sentences dropped, 1-3 sentences of another story inserted (at most 40 % of the copy's words;
the donor is recorded: a hard negative), spelling and quote styles, heavy truncation to the lead (15-50 %, at least 40
words), a new title, an agency dateline and sign-off. Same-topic hard negatives are the pairs of
different originals that share the most wording. Originals that already overlap (word 5-shingle
Jaccard >= 0.2 or containment >= 0.3, e.g. two pages of one live blog) are dropped first, so that
a label never contradicts the text.

Every story has a fold (0-4) from its site: tune on some folds, report on the others.
Deterministic for a given seed. Output is not committed: `python -m bench.dedup_devset --out FILE`.
"""

from __future__ import annotations

import argparse
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from bench.devdata import REPO, rows

VERSION = 2
DEFAULT_OUT = REPO / ".cache" / f"dedup_devset.v{VERSION}.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'„“»A-ZÄÖÜ0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)
FOLDS = 5

# Regional and house-style spellings a syndicating outlet may apply (both directions are used).
SPELLINGS = [("Januar", "Jänner"), ("Februar", "Feber"), ("Tomaten", "Paradeiser"), ("Kartoffeln", "Erdäpfel"),
             ("Sahne", "Obers"), ("Aprikosen", "Marillen"), ("ß", "ss"), ("color", "colour"), ("center", "centre"),
             ("organization", "organisation"), ("recognize", "recognise"), ("defense", "defence"),
             ("percent", "per cent"), ("program", "programme"), ("toward", "towards"), ("labor", "labour")]
QUOTES = [("„", '"'), ("“", '"'), ("”", '"'), ("«", '"'), ("»", '"'), ("\u2018", "'"), ("\u2019", "'")]
AGENCIES = {"de": [("BERLIN", "dpa"), ("WIEN", "APA"), ("FRANKFURT", "dpa-AFX"), ("ZÜRICH", "sda"),
                   ("MÜNCHEN", "AFP"), ("HAMBURG", "epd")],
            "en": [("WASHINGTON", "AP"), ("LONDON", "Reuters"), ("NEW YORK", "AFP"), ("PARIS", "AFP"),
                   ("SYDNEY", "AAP"), ("TORONTO", "CP")]}
SIGNOFFS = {"de": ["(dpa)", "/ngu/DP/he", "(APA)", "© dpa-infocom, dpa:251231-930-12345/1", "(sda/awp)", "AFP/mb"],
            "en": ["(Reporting by Jane Doe; Editing by John Smith)", "(AP)", "© Reuters 2025", "AFP/jm",
                   "Copyright 2025 The Associated Press. All rights reserved."]}


@dataclass
class Doc:
    id: str
    story: str
    site: str
    text: str
    published_at: str
    kind: str  # original | copy
    ops: list[str]
    lang: str
    fold: int
    donors: list[str] = field(default_factory=list)  # stories whose sentences were inserted
    chrome_lines: int = 0


def _site(url: str) -> str:
    host = urlsplit(url).netloc or url.rsplit("::", maxsplit=1)[-1].split("-", maxsplit=1)[0].removesuffix(".html")
    return host.lower().removeprefix("www.") or "unknown"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.split(paragraph) if s.strip()]


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _WORD.findall(text)]


def _shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    tokens = _tokens(text)
    return {tuple(tokens[i:i + k]) for i in range(max(len(tokens) - k + 1, 1))}


def _fold(site: str) -> int:
    return zlib.crc32(site.encode()) % FOLDS


@dataclass
class Page:
    """One real page: its site, language, extracted body (when long enough) and chrome lines."""

    id: str
    site: str
    lang: str
    body: str
    chrome: list[str]


def _chrome_lines(tree: Any, body: str, extra: list[str]) -> list[str]:
    """Short texts of the page's links, list items, buttons and labels (navigation, promos, footer)."""
    inside = {" ".join(_tokens(p)) for p in _paragraphs(body)}
    seen: dict[str, None] = {}
    for el in tree.iter("a", "li", "button", "label", "option", "h3", "h4", "span"):
        text = " ".join(el.text_content().split())
        n = len(text.split())
        if 1 <= n <= 14 and " ".join(_tokens(text)) not in inside and len(text) < 120:
            seen.setdefault(text, None)
    for raw in extra:
        line = " ".join(raw.split())
        if 2 <= len(line.split()) <= 30:
            seen.setdefault(line, None)
    return list(seen)


def load_pages(german_pages: int) -> Iterator[Page]:
    """Fundus pages (English, annotated bodies), then German and English pages of the other two sets."""
    import trafilatura  # noqa: PLC0415  (only the generator needs it)
    from lxml import html as lxml_html  # noqa: PLC0415

    def tree_of(markup: str) -> Any:
        try:
            return lxml_html.fromstring(markup)
        except (ValueError, TypeError, lxml_html.etree.ParserError):
            return None

    for row in rows("extraction_fundus_eval.jsonl.gz"):
        tree = tree_of(row["html"])
        chrome = _chrome_lines(tree, row["expected_body"], []) if tree is not None else []
        yield Page(row["id"], row["id"].rsplit("_", 1)[0].lower(), "en", row["expected_body"], chrome)
    taken = 0
    sources = [(n, "snippets") for n in ("extraction_snippets.00.jsonl.gz", "extraction_snippets.01.jsonl.gz")]
    sources.append(("dates_dev.jsonl.gz", "dates"))
    for name, kind in sources:
        for row in rows(name):
            lang = row.get("lang") or ("de" if row.get("subset") == "bbaw" else "en")
            if lang not in ("de", "en"):
                continue
            tree = tree_of(row["html"])
            if tree is None:
                continue
            body = ""
            if lang == "de" and taken < german_pages:
                body = trafilatura.extract(row["html"], include_comments=False) or ""
                if len(_WORD.findall(body)) >= 150:
                    taken += 1
                else:
                    body = ""
            chrome = _chrome_lines(tree, body, row.get("without", []) if kind == "snippets" else [])
            yield Page(row["id"], _site(row["url"]), lang, body, chrome)


def _prose_share(body: str) -> float:
    """Share of a body's words in lines that end like a sentence: list and navigation pages are not articles."""
    lines = _paragraphs(body)
    total = sum(len(_WORD.findall(line)) for line in lines)
    prose = sum(len(_WORD.findall(line)) for line in lines if re.search(r"[.!?:\"“”»]\s*$", line))
    return prose / total if total else 0.0


def _distinct(pages: list[Page]) -> list[Page]:
    """Bodies that do not already overlap another kept body (so labels never contradict the text)."""
    kept: list[tuple[Page, set[tuple[str, ...]]]] = []
    for page in pages:
        sh = _shingles(page.body)
        if all(len(sh & o) / len(sh | o) < 0.2 and len(sh & o) / min(len(sh), len(o)) < 0.3 for _, o in kept):
            kept.append((page, sh))
    return [p for p, _ in kept]


class Syndicator:
    """The transformations, each a pure function of the text and the seeded generator."""

    def __init__(self, rng: random.Random, chrome: dict[str, list[list[str]]],
                 donors: dict[str, list[tuple[str, str]]]) -> None:
        self.rng = rng
        self.chrome = chrome  # language -> chrome line lists of real pages
        self.donors = donors  # language -> (story, body)

    def wrap(self, text: str, lines: list[str], count: int) -> str:
        """`count` chrome lines of one page: about two thirds above the text (navigation), the rest below."""
        picked = lines[:count] if len(lines) <= count else self._run(lines, count)
        top = max(1, round(len(picked) * self.rng.uniform(0.5, 0.8)))
        return "\n".join([*picked[:top], "", text, "", *picked[top:]])

    def _run(self, lines: list[str], count: int) -> list[str]:
        start = self.rng.randrange(0, max(len(lines) - count, 1))
        return lines[start:start + count]

    def boilerplate(self, text: str, lang: str, heavy: bool) -> tuple[str, int]:
        pages = [p for p in self.chrome[lang] if len(p) >= (20 if heavy else 3)]
        lines = self.rng.choice(pages)
        count = self.rng.randint(20, 50) if heavy else self.rng.randint(2, 8)
        count = min(count, len(lines))
        return self.wrap(text, lines, count), count

    def drop_sentences(self, text: str) -> str:
        paras = [_sentences(p) for p in _paragraphs(text)]
        total = sum(map(len, paras))
        drop = set(self.rng.sample(range(total), int(total * self.rng.uniform(0.10, 0.30))))
        out, n = [], 0
        for sents in paras:
            kept = [s for i, s in enumerate(sents, start=n) if i not in drop]
            n += len(sents)
            if kept:
                out.append(" ".join(kept))
        return "\n\n".join(out) or text

    def insert_paragraph(self, text: str, lang: str, story: str) -> tuple[str, str]:
        paras = _paragraphs(text)
        # a paragraph, never more than 40 % of the recipient's words nor of the donor's (else one
        # text would be a copy of the other, and the label would contradict it)
        room = max(12, min(80, int(len(_WORD.findall(text)) * 0.4)))
        donors = [d for d in self.donors[lang] if d[0] != story and len(_WORD.findall(d[1])) * 0.4 >= room]
        donor_story, donor = self.rng.choice(donors)
        sents = _sentences(self.rng.choice(_paragraphs(donor)))
        start = self.rng.randrange(len(sents)) if sents else 0
        inserted = " ".join(" ".join(sents[start:start + self.rng.randint(1, 3)]).split()[:room])
        paras.insert(self.rng.randint(1, max(len(paras), 1)), inserted)
        return "\n\n".join(paras), donor_story

    def spelling(self, text: str) -> str:
        for a, b in SPELLINGS:
            old, new = (a, b) if self.rng.random() < 0.5 or a == "ß" else (b, a)  # Swiss style: ss, never ß
            text = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)" if len(old) > 2 else re.escape(old), new, text)
        if self.rng.random() < 0.7:
            for a, b in QUOTES:
                text = text.replace(a, b)
        if self.rng.random() < 0.3:
            text = text.replace('"', "«", 1)
        return text

    def lead(self, text: str) -> str:
        """Heavy truncation: the first sentences, 15-50 % of the words and at least 40."""
        words = len(_WORD.findall(text))
        limit = max(40, int(words * self.rng.uniform(0.15, 0.5)))
        out: list[str] = []
        for para in _paragraphs(text):
            kept: list[str] = []
            for sent in _sentences(para):
                kept.append(sent)
                if len(_WORD.findall(" ".join([*out, *kept]))) >= limit:
                    break
            out.append(" ".join(kept))
            if len(_WORD.findall(" ".join(out))) >= limit:
                break
        return "\n\n".join(out)

    def title(self, text: str) -> str:
        words = _WORD.findall(self.rng.choice(_sentences(_paragraphs(text)[0]) or [text]))
        head = " ".join(self.rng.sample(words, min(len(words), self.rng.randint(4, 9))))
        return f"{head.capitalize()}\n\n{text}"

    def wire(self, text: str, lang: str) -> str:
        place, agency = self.rng.choice(AGENCIES[lang])
        paras = _paragraphs(text)
        paras[0] = f"{place} ({agency}) - {paras[0]}"
        return "\n\n".join([*paras, self.rng.choice(SIGNOFFS[lang])])


OPS = ("drop_sentences", "lead", "insert_paragraph", "spelling", "title", "wire", "boilerplate")


def _flash(body: str, rng: random.Random) -> str:
    """A short text: the first 1-4 sentences of a body, 20-70 words."""
    out: list[str] = []
    for sent in [s for p in _paragraphs(body) for s in _sentences(p)]:
        if len(_WORD.findall(" ".join([*out, sent]))) > 70 and out:
            break
        out.append(sent)
        if len(_WORD.findall(" ".join(out))) >= rng.randint(20, 45):
            break
    return " ".join(out)


def build(seed: int = 20260101, german_pages: int = 420) -> list[dict[str, Any]]:  # noqa: PLR0912
    rng = random.Random(seed)
    pages = list(load_pages(german_pages))
    chrome: dict[str, list[list[str]]] = defaultdict(list)
    for page in pages:
        if len(page.chrome) >= 3:
            chrome[page.lang].append(page.chrome)
    bodies = _distinct([p for p in pages if p.body and _prose_share(p.body) >= 0.5])
    donors = {lang: [(p.id, p.body) for p in bodies if p.lang == lang] for lang in ("de", "en")}
    syn = Syndicator(rng, chrome, donors)
    # site templates: Fundus publishers keep their own pages' chrome; the German pages (one per
    # site) are grouped 1-4 to a template page of the same language, so stories share a template
    template: dict[str, list[str]] = {}
    site_of: dict[str, str] = {}
    for page in bodies:
        if page.lang == "en":
            site_of[page.id] = page.site
        else:
            site_of[page.id] = f"site{rng.randrange(len(bodies) // 2)}.de"
        if site_of[page.id] not in template:
            own = page.chrome if len(page.chrome) >= 8 else rng.choice(chrome[page.lang])
            template[site_of[page.id]] = own
    docs: list[Doc] = []
    for page in bodies:
        story, site, lang = page.id, site_of[page.id], page.lang
        fold = _fold(site)
        body = _flash(page.body, rng) if rng.random() < 0.125 else page.body
        base = 1_767_225_600 + rng.randint(0, 5 * 86400)  # 2026-01-01 + up to 5 days
        heavy_site = zlib.crc32(site.encode()) % 3 == 0
        count = rng.randint(20, 50) if heavy_site else rng.randint(3, 10)
        lines = template[site]
        docs.append(Doc(story, story, site, syn.wrap(body, lines, min(count, len(lines))), _iso(base), "original",
                        [], lang, fold, chrome_lines=min(count, len(lines))))
        for n in range(rng.choice((0, 1, 1, 2, 2, 3))):
            ops = sorted(rng.sample(OPS, rng.randint(2, 5)), key=OPS.index)  # transform first, wrap last
            text, donor_stories, chrome_count = body, [], 0
            for op in ops:
                if op == "insert_paragraph":
                    text, donor = syn.insert_paragraph(text, lang, story)
                    donor_stories.append(donor)
                elif op in ("spelling", "drop_sentences", "lead", "title"):
                    text = getattr(syn, op)(text)
                elif op == "wire":
                    text = syn.wire(text, lang)
            if "boilerplate" in ops:
                heavy = rng.random() < 0.35
                text, chrome_count = syn.boilerplate(text, lang, heavy)
                if heavy:
                    ops.append("heavy_chrome")
            if body is not page.body:
                ops.append("short")
            published = _iso(base + rng.randint(-3 * 3600, 36 * 3600))  # some copies carry an earlier stamp
            docs.append(Doc(f"{story}~{n}", story, f"copy{n}-{site}", text, published, "copy", ops, lang, fold,
                            donor_stories, chrome_count))
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
