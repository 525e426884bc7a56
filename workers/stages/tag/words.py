"""Words and sentences of a text, with offsets: the units the encoder tagger labels.

The tagger was trained on GermEval and Universal NER tokens: whitespace-separated words with
punctuation split off. We cut text the same way: a run of non-space characters, minus the quotes,
brackets and punctuation at its edges (a final period stays on abbreviations and initials such as
`U.S.` or `J.`), so `„Witkoff“,` yields `„`, `Witkoff`, `“` and `,`. Hyphenated compounds stay whole
(`SPD-Chef`, `dpa-AFX`), as in the training data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Span = tuple[int, int]
CharSpan = tuple[int, int, str]  # start, end (offsets into the text), label
TokenTagger = Callable[[list[list[str]]], list[list[tuple[int, int, str]]]]

_RUN = re.compile(r"\S+")
_LEADING = "\"'„“”‚‘’«»‹›([{<¿¡*•–—-"  # noqa: RUF001  (typographic quotes and dashes are the point)
_TRAILING = "\"'„“”‚‘’«»‹›)]}>.,;:!?…*•–—-"  # noqa: RUF001
_ABBREVIATION = re.compile(r"(?:\w\.){2,}|[A-ZÄÖÜ]\.")
# a sentence ends at . ! ? (with closing quotes) before an upper-case letter, a digit or an opening quote,
# but not after an initial (`J. Smith`) or a title (`Dr. Merz`)
_NOT_AFTER = "".join(rf"(?<!\b{a})" for a in ("Dr", "Mr", "Ms", "Mrs", "Nr", "St", "Prof", "vs", "Sen", "Gov"))
_SENTENCE_END = re.compile(rf"(?<!\b[A-ZÄÖÜ]){_NOT_AFTER}[.!?…][\"'“”’»)]*\s+(?=[\"'„“«(\[]?[A-ZÄÖÜ0-9])|\n+")  # noqa: RUF001


def _split_run(text: str, start: int, end: int) -> list[Span]:
    head: list[Span] = []
    tail: list[Span] = []
    while start < end and text[start] in _LEADING and end - start > 1:
        head.append((start, start + 1))
        start += 1
    while end > start + 1 and text[end - 1] in _TRAILING:
        if text[end - 1] == "." and _ABBREVIATION.fullmatch(text, start, end):
            break
        tail.append((end - 1, end))
        end -= 1
    return [*head, (start, end), *reversed(tail)]


def words(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """(start, end) of each word of `text[start:end]`, offsets into `text`."""
    found: list[Span] = []
    for run in _RUN.finditer(text, start, len(text) if end is None else end):
        found.extend(_split_run(text, run.start(), run.end()))
    return found


def sentences(text: str) -> list[Span]:
    """(start, end) of each sentence: cut after sentence punctuation and at line breaks."""
    found: list[Span] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        cut = match.start() + len(match.group(0).rstrip())
        if text[begin:cut].strip():
            found.append((begin, cut))
        begin = match.end()
    if text[begin:].strip():
        found.append((begin, len(text)))
    return found


def tag_text(tag_tokens: TokenTagger, text: str) -> list[CharSpan]:
    """Entities (start, end, label) with offsets into `text`: cut into sentences and words, tag the
    words with `tag_tokens` (first word, last word + 1, label per sentence), map back to characters."""
    return tag_sentences(tag_tokens, text, sentences(text))


def share_sentences(spans: list[Span], part: int, parts: int) -> list[Span]:
    """The `part`-th of `parts` consecutive runs of `spans` holding about equal characters.

    Both tiers tag each sentence on its own, so the runs tagged apart give the spans the whole
    text gives: the tag stage splits one long text over several pool processes this way.
    """
    if parts <= 1:
        return spans
    total = sum(end - begin for begin, end in spans) or 1
    out, done = [], 0
    for begin, end in spans:
        if done * parts // total == part:  # a sentence goes to the share its first character falls in
            out.append((begin, end))
        done += end - begin
    return out


def tag_sentences(tag_tokens: TokenTagger, text: str, sentence_spans: list[Span]) -> list[CharSpan]:
    """`tag_text` over the given sentences of `text` only (offsets still into `text`)."""
    cut = [words(text, begin, end) for begin, end in sentence_spans]
    cut = [spans for spans in cut if spans]
    tagged = tag_tokens([[text[s:e] for s, e in spans] for spans in cut])
    return [(spans[first][0], spans[end - 1][1], label)
            for spans, found in zip(cut, tagged, strict=True) for first, end, label in found]
