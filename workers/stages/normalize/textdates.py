"""Date expressions in article text, resolved to calendar days against the publication date.

Absolute (`6. Januar 2026`, `31.12.25`, `January 3`, `3. Jänner`), weekday phrases (`am Mittwoch`,
`next Tuesday`), relative days (`gestern`, `tomorrow`) and spans (`vor zwei Wochen`, `three days ago`)
in German and English; full dates also in fr/es/it. Everything is matched against a closed
vocabulary, so ordinary words never become dates: English `may`/`march` only count capitalised and
next to a day number, a weekday only after a preposition or a relative word.

Resolution rules (documented in docs/normalize.md):
- A day and month without a year take the year that puts the date closest to the publication date,
  so `3. Jänner` in an article of 31 Dec 2025 is 2026-01-03.
- A bare weekday (`am Mittwoch`, `on Wednesday`) is the nearest such day on or before the publication
  day, unless future-tense words stand in the same sentence (`soll`, `wird`, `will`, `plans`); then it
  is the next one. `nächsten`/`kommenden`/`next` look forward, `vergangenen`/`letzten`/`last` back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workers.stages.normalize.datewords import (
    AMBIGUOUS_EN_MONTHS,
    MONTH_RE,
    NUMBER_WORDS,
    UNITS,
    WEEKDAY_RE,
    WEEKDAYS,
    is_abbreviation,
    month_number,
)
from workers.stages.normalize.stamps import find_stamps


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    value: date
    kind: str = "absolute"  # absolute | weekday | relative

    def to_json(self, text: str) -> dict[str, Any]:
        return {"text": text[self.start:self.end], "start": self.start, "end": self.end,
                "value": self.value.isoformat()}


_DAY_MONTH = re.compile(
    rf"(?<![\w.,/])(?P<d>[0-3]?\d)(?:\.|st|nd|rd|th)?\s*(?:(?:bis|-|\u2013|and|und)\s*[0-3]?\d\.?\s*)?"
    rf"(?:of\s+)?(?P<m>(?i:{MONTH_RE}))\b\.?(?!\s*(?:19|20)\d\d)(?!\d)"
)
# Month words are matched as any word and checked against the vocabulary in code, and weekday
# phrases are anchored on the weekday name: a leading case-insensitive alternation would be tried at
# every position of the text and cost milliseconds per article.
_WORD = r"[^\W\d_]{3,10}"
_MONTH_DAY = re.compile(
    rf"\b(?P<m>{_WORD})\b\.?\s+(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!,?\s*(?:19|20)\d\d)"
    rf"(?![:.]\d)"
)
_WEEKDAY = re.compile(
    rf"(?P<w>{WEEKDAY_RE.title()}|{WEEKDAY_RE})(?P<part>abend|morgen|nachmittag|vormittag|mittag|nacht|früh|"
    rf"\s+(?:morning|afternoon|evening|night))?\b"
)
_WEEKDAY_PREPOSITION = re.compile(
    r"\b(?P<pre>am|an\s+diesem|diesen|dieser|seit|bis|ab|vergangenen|letzten|vorigen|nächsten|"
    r"kommenden|on|last|next|this|since|until|by|from|past|coming)\s+(?:(?:dem|den)\s+)?$",
    re.IGNORECASE,
)
_RELATIVE_DAY = re.compile(
    r"\b(?P<w>vorgestern|gestern|heute|übermorgen|(?-i:morgen)(?!\s*(?:früh\w*))|yesterday|today|tonight|"
    r"tomorrow)\b",
    re.IGNORECASE,
)
_NOT_TOMORROW = re.compile(r"(?i:heute|gestern|am|den|jeden|dem|vom|bis|guten|einen|am\s+frühen)\s+$")
_RELATIVE_SPAN = re.compile(
    r"\b(?:(?P<de>[VvIi](?:or|n))\s+(?P<n1>\d{1,2}|[^\W\d_]{1,6})\s+(?P<u1>[^\W\d_]{3,7})"
    r"|(?P<n2>\d{1,2}|[^\W\d_]{1,6})\s+(?P<u2>[^\W\d_]{3,7})\s+(?P<en>ago|from\s+now))\b"
)
# "in 50 years" after a superlative or "first/last time" measures a span ("lowest in 50 years").
_SPAN_NOT_POINT = re.compile(
    r"\b(?:lowest|highest|biggest|largest|smallest|worst|best|fastest|slowest|strongest|weakest|"
    r"longest|deepest|first|last|most|least|ever|times?|record|höchste\w*|niedrigste\w*|größte\w*|"
    r"stärkste\w*|schwächste\w*|erstmals|erste\w*|zuletzt|zum\s+ersten\s+Mal)\b[^.!?\n]*$",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:soll|sollen|sollte|wird|werden|will|wollen|geplant|plant|planen|kommenden|nächsten|"
    r"would|shall|plans?|planned|scheduled|expected|due|is\s+to|are\s+to|upcoming|going\s+to)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
# Capitalised forms that are usually names or words, not months ("2 Mars bars", "Jan 3" stays).
_NAMES_NOT_MONTHS = frozenset({"Mars", "Mar", "Gen", "Set", "Ago", "Mag"})
_SENTENCE_START = re.compile(r"(?:^|[.!?:\"“„«»(\n]\s*)$")
_RELATIVE_DAYS = {"vorgestern": -2, "gestern": -1, "yesterday": -1, "heute": 0, "today": 0, "tonight": 0,
                  "morgen": 1, "tomorrow": 1, "übermorgen": 2}
_WEEKDAY_TO_DATE = re.compile(r",?\s*(?:(?i:den|dem|the)\s+)?")
_FORWARD = {"nächsten", "kommenden", "next", "coming", "until", "bis", "ab"}
_BACKWARD = {"vergangenen", "letzten", "vorigen", "last", "past", "seit", "since"}


def _closest_year(day: int, month: int, ref: date) -> date | None:
    options = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - ref).days)) if options else None


def _sentence(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=0)
    right = _SENTENCE_END.search(text, end)
    return text[left:right.start() if right else len(text)]


def _weekday(target: int, ref: date, direction: int) -> date:
    """The `target` weekday nearest `ref`: on/before it (direction -1/0) or after it (+1)."""
    back = (ref.weekday() - target) % 7
    if direction > 0:
        return ref + timedelta(days=(target - ref.weekday()) % 7 or 7)
    if direction < 0 and back == 0:
        return ref - timedelta(days=7)
    return ref - timedelta(days=back)


def _add_months(ref: date, months: int) -> date:
    index = ref.year * 12 + ref.month - 1 + months
    year, month = divmod(index, 12)
    for day in (ref.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word.lower())


def _absolute(text: str, ref: date, language: str | None) -> Iterator[DateMention]:
    for stamp in find_stamps(text, reference_year=ref.year, month_first=language == "en"):
        yield DateMention(stamp.start, stamp.end, stamp.day)
    # Month-before-day is English order; in German "im April 20 Prozent" it would be a false date.
    patterns = (_DAY_MONTH, _MONTH_DAY) if language in (None, "en") else (_DAY_MONTH,)
    for pattern in patterns:
        for m in pattern.finditer(text):
            name = m.group("m")
            if name.lower().rstrip(".") in AMBIGUOUS_EN_MONTHS and not name[0].isupper():
                continue
            if name in _NAMES_NOT_MONTHS:
                continue
            if language != "en" and is_abbreviation(name) and text[m.end("m"):m.end("m") + 1] != ".":
                continue  # "2. Ott, Verena": outside English a month abbreviation carries its dot
            month = month_number(name)
            value = _closest_year(int(m.group("d")), month, ref) if month else None
            end = m.end()
            if text[end - 1] == "." and not is_abbreviation(name):
                end -= 1  # "11. Jänner." ends a sentence; "Jan." is an abbreviation
            if value:
                yield DateMention(m.start(), end, value)


def _weekdays(text: str, ref: date) -> Iterator[DateMention]:
    for m in _WEEKDAY.finditer(text):
        if m.start() and text[m.start() - 1].isalnum():
            continue  # "Aschermittwoch"
        before = _WEEKDAY_PREPOSITION.search(text, max(0, m.start() - 30), m.start())
        if before is None and (m.group("part") is None or not m.group("w")[0].isupper()):
            continue  # a bare weekday is often a name ("Sunday Times"); it needs a preposition or a daypart
        name = m.group("w").lower()
        pre = " ".join(before.group("pre").lower().split()) if before else ""
        start = before.start() if before else m.start()
        part = m.group("part")
        # "on Monday night" -> "on Monday"; "Wednesday night" and "am Mittwochabend" keep their daypart
        end = m.end("w") if before is not None and part is not None and not part[0].isalpha() else m.end()
        if pre in _FORWARD:
            direction = 1
        elif pre in _BACKWARD:
            direction = -1
        elif _FUTURE.search(_sentence(text, m.start(), m.end())):
            direction = 1 if ref.weekday() != WEEKDAYS[name] else 0
        else:
            direction = 0
        yield DateMention(start, end, _weekday(WEEKDAYS[name], ref, direction), "weekday")


def _relative(text: str, ref: date) -> Iterator[DateMention]:
    for m in _RELATIVE_DAY.finditer(text):
        word = m.group("w")
        if word == "morgen" and _NOT_TOMORROW.search(text, max(0, m.start() - 20), m.start()):
            continue  # "heute morgen", "am Morgen": the morning, not tomorrow
        if word[0].isupper() and not _SENTENCE_START.search(text, max(0, m.start() - 3), m.start()):
            continue  # "USA Today", "Heute-Show": a capitalised word mid-sentence is a name
        if word.lower() not in _RELATIVE_DAYS:
            continue
        delta = timedelta(days=_RELATIVE_DAYS[word.lower()])
        yield DateMention(m.start(), m.end(), ref + delta, "relative")
    for m in _RELATIVE_SPAN.finditer(text):
        count = _number(m.group("n1") or m.group("n2"))
        unit = (m.group("u1") or m.group("u2")).lower()
        if not count or unit not in UNITS:
            continue
        lead = (m.group("de") or "").lower()
        if lead == "in" and _SPAN_NOT_POINT.search(text, max(0, m.start() - 60), m.start()):
            continue  # "the lowest pace in 50 years": a span of time, not a point in it
        sign = -1 if lead == "vor" or (m.group("en") or "").lower() == "ago" else 1
        days, months = UNITS[unit]
        value = ref + timedelta(days=sign * count * days) if days else _add_months(ref, sign * count * months)
        yield DateMention(m.start(), m.end(), value, "relative")


def find_dates(text: str, published: date | None, *, language: str | None = None) -> list[dict[str, Any]]:
    """Date mentions in `text` as `{text, start, end, value}`, in text order, without overlaps.

    Without a publication date only full dates (with a year) are resolved: a weekday or `gestern`
    means nothing without a reference day.
    """
    if published is None:
        mentions = [DateMention(s.start, s.end, s.day) for s in find_stamps(text, reference_year=9999,
                                                                            month_first=language == "en")]
    else:
        mentions = [*_absolute(text, published, language), *_weekdays(text, published),
                    *_relative(text, published)]
    mentions.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMention] = []
    for mention in mentions:
        if kept and mention.start < kept[-1].end:
            continue
        if (kept and kept[-1].kind == "weekday" and mention.kind == "absolute"
                and _WEEKDAY_TO_DATE.fullmatch(text, kept[-1].end, mention.start)):
            # "am Freitag, 2. Jänner": the weekday names the date that follows, one mention.
            kept[-1] = DateMention(kept[-1].start, mention.end, mention.value)
            continue
        kept.append(mention)
    return [mention.to_json(text) for mention in kept]
