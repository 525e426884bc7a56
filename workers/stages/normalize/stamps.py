"""Finding full calendar dates (with an optional clock time and zone) in text, by grammar, not by guessing.

Covers `31.12.25, 20:50`, `31. Dezember 2025 um 20:50 Uhr`, `Dec. 31, 2025 8:50 p.m. ET`,
`2025-12-31T20:50:00+01:00`, `31 décembre 2025 à 20h50`, `31 de diciembre de 2025`, `12/31/2025`,
`2020年7月12日`.
We find candidates with regexes built from a closed vocabulary and validate each one, instead of
dateparser's `search_dates`, which reads ordinary words (`Die`, `mit`, `may`) as dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from workers.stages.normalize.datewords import AMBIGUOUS_EN_MONTHS, ZONE_ABBREVIATIONS, ZONE_RE, month_number

_DAY = r"(?P<d>[0-3]?\d)"
_OFFSET = r"[+-](?:[01]\d|2[0-3]):?[0-5]\d"
_TIME = (
    r"(?P<H>[0-2]?\d)(?:[:.h](?P<M>[0-5]\d)(?::(?P<S>[0-5]\d)(?:\.\d+)?)?(?!\d))?"
    r"(?:\s*(?P<ampm>[aApP]\.?\s?[mM]\.?)(?![^\W\d_]))?"
    r"(?:\s*(?:Uhr|h)\b)?"
    rf"(?:\s*(?P<tz>Z\b|{_OFFSET}|\(?(?:{ZONE_RE})\)?(?![^\W\d_])))?"
)
# Between a date and its time: comma, "um", "at", "à", "a las", "alle", "-", "|", "/".
_GAP = r"(?:\s*(?:,|\||/|\u2013|-|·|•)?\s*(?:(?i:um|at|à|a\s+las|alle|ore|gegen|,)\s*)?)"

# The two branches that start with a digit are only tried where a digit run starts (see
# `find_stamps`), so they carry no lookbehind; a month word is matched as any word and checked
# against the vocabulary in code — both keep the scan at well under a millisecond per article.
_WORD = r"[^\W\d_]{3,10}"
_NUMERIC = (
    rf"(?:{_DAY}\.\s?(?P<m>[01]?\d)\.\s?(?P<y2>(?:19|20)?\d{{2}})"
    rf"|(?P<iy>(?:19|20)\d{{2}})-(?P<im>[01]\d)-(?P<id>[0-3]\d)"
    rf"|(?P<sy>(?:19|20)\d{{2}})/(?P<sm>[01]?\d)/(?P<sd>[0-3]?\d)"
    rf"|(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<c>(?:19|20)?\d{{2}})"
    rf"|(?P<jy>(?:19|20)\d{{2}})\s?[年년]\s?(?P<jm>[01]?\d)\s?[月월]\s?(?P<jd>[0-3]?\d)\s?[日일]?)"
    rf"(?![\d/]|\.\d|,\d)"
)
_TEXT_DMY = (
    rf"(?P<td>[0-3]?\d)(?:\.|st|nd|rd|th|er|º|°)?\s*(?:de\s+|of\s+)?"
    rf"(?P<tm>{_WORD})\b\.?(?:,?\s*(?:de\s+|del\s+)?(?P<ty>(?:19|20)\d{{2}}|'\d{{2}}|(?<=\.)\d{{2}}))(?!\d)"
)
_TEXT_MDY = (
    rf"\b(?P<um>{_WORD})\.?\s+(?P<ud>[0-3]?\d)(?:st|nd|rd|th)?,?\s+"
    rf"(?P<uy>(?:19|20)\d{{2}})(?!\d)"
)
_DIGIT_RUN = re.compile(r"\d+")
_DIGIT_FIRST = re.compile(rf"(?:{_NUMERIC}|{_TEXT_DMY})(?:(?:T|{_GAP}){_TIME})?")
_WORD_FIRST = re.compile(rf"{_TEXT_MDY}(?:{_GAP}{_TIME})?")
# A time printed before its date: "7:10 PM EST, Mon March 2, 2020", "20:50 Uhr | 31.12.2025".
_LEAD_TIME = re.compile(rf"(?<![\d:.]){_TIME}\s*(?:,|\||\u2013|-|·|•|/)?\s*(?:[^\W\d_]{{2,10}}\.?,?\s*)?$")
_ALL_GROUPS = (*_DIGIT_FIRST.groupindex, *_WORD_FIRST.groupindex)
_ISO_FULL = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


@dataclass(frozen=True, slots=True)
class Stamp:
    """One date found in text: where, the calendar day, the clock time and zone if printed."""

    start: int
    end: int
    text: str
    day: date
    clock: time | None = None
    tz: tzinfo | None = None

    def local(self, fallback: tzinfo) -> datetime:
        """The instant this stamp names (noon when no time is printed), in its own zone or `fallback`."""
        return datetime.combine(self.day, self.clock or time(12), self.tz or fallback)


def two_digit_year(yy: int, reference_year: int) -> int:
    """`25` -> 2025, `98` -> 1998: the latest century that does not pass next year."""
    year = 2000 + yy
    return year if year <= reference_year + 1 else year - 100


def parse_offset(value: str) -> timezone:
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _zone(value: str | None) -> tzinfo | None:
    if not value:
        return None
    value = value.strip("()")
    if value == "Z":
        return UTC
    if value[0] in "+-":
        return parse_offset(value)
    name = ZONE_ABBREVIATIONS.get(value.lower())
    return ZoneInfo(name) if name else None


def _clock(m: re.Match[str]) -> tuple[time, tzinfo | None] | None:
    if "H" not in m.re.groupindex or m.group("H") is None:
        return None
    hour, minute, second = int(m.group("H")), int(m.group("M") or 0), int(m.group("S") or 0)
    ampm = (m.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if m.group("M") is None and not ampm:
        return None  # a bare number after a date is not a time ("31.12.2025 5 Tote")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23:
        return None
    return time(hour, minute, second), _zone(m.group("tz"))


def _day(m: re.Match[str], reference_year: int, month_first: bool) -> date | None:
    g: dict[str, Any] = dict.fromkeys(_ALL_GROUPS) | m.groupdict()
    if g["d"] is not None:
        day, month, year = int(g["d"]), int(g["m"]), g["y2"]
    elif g["iy"] is not None:
        day, month, year = int(g["id"]), int(g["im"]), g["iy"]
    elif g["sy"] is not None:
        day, month, year = int(g["sd"]), int(g["sm"]), g["sy"]
    elif g["jy"] is not None:
        day, month, year = int(g["jd"]), int(g["jm"]), g["jy"]
    elif g["a"] is not None:
        first, second, year = int(g["a"]), int(g["b"]), g["c"]
        month_first = (month_first and first <= 12) or second > 12
        month, day = (first, second) if month_first else (second, first)
    elif g["td"] is not None:
        name = g["tm"]
        if name.lower().rstrip(".") in AMBIGUOUS_EN_MONTHS and not name[0].isupper():
            return None
        day, month, year = int(g["td"]), month_number(name) or 0, g["ty"]
    else:
        name = g["um"]
        if name.lower().rstrip(".") in AMBIGUOUS_EN_MONTHS and not name[0].isupper():
            return None
        day, month, year = int(g["ud"]), month_number(name) or 0, g["uy"]
    digits = year.lstrip("'")
    full_year = int(digits) if len(digits) == 4 else two_digit_year(int(digits), reference_year)
    try:
        return date(full_year, month, day)
    except ValueError:
        return None


def find_stamps(text: str, *, reference_year: int, month_first: bool = False) -> list[Stamp]:
    """Every full date (day, month, year) in `text`, with the clock time and zone printed after it.

    `month_first` reads `1/2/2025` as 2 January (US English); an impossible reading flips it.
    """
    found: list[Stamp] = []
    for m in _matches(text):
        day = _day(m, reference_year, month_first)
        if day is None:
            continue
        clock = _clock(m)
        start, end = m.start(), m.end() if clock else _date_end(m)
        if clock is None:
            lead = _LEAD_TIME.search(text, max(0, start - 40), start)
            clock = _clock(lead) if lead else None
            start = lead.start() if lead and clock else start
        found.append(Stamp(start, end, text[start:end], day,
                           clock[0] if clock else None, clock[1] if clock else None))
    return found


def _matches(text: str) -> list[re.Match[str]]:
    """Date-shaped matches in text order, without overlaps (not yet validated)."""
    found: list[re.Match[str]] = []
    last_end = -1
    for run in _DIGIT_RUN.finditer(text):
        start = run.start()
        if start < last_end or (start and (text[start - 1] in ".,/" or text[start - 1].isalnum())):
            continue
        m = _DIGIT_FIRST.match(text, start)
        if m and (m.group("tm") is None or month_number(m.group("tm"))):
            found.append(m)
            last_end = m.end()
    words = [m for m in _WORD_FIRST.finditer(text) if month_number(m.group("um"))]
    if not words:
        return found
    merged: list[re.Match[str]] = []
    for m in sorted([*found, *words], key=lambda m: m.start()):
        if merged and m.start() < merged[-1].end():
            continue
        merged.append(m)
    return merged


def _date_end(m: re.Match[str]) -> int:
    """End of the date part of a match whose time part did not validate."""
    ends = [m.end(g) for g in ("y2", "id", "sd", "c", "jd", "ty", "uy")
            if g in m.re.groupindex and m.group(g) is not None]
    return max(ends) if ends else m.end()


def parse_datetime(value: str, *, reference_year: int, month_first: bool = False) -> Stamp | None:
    """One date string from metadata or a producer hint (ISO 8601 first, then the stamp grammar)."""
    iso = _ISO_FULL.match(value)
    if iso:
        y, mo, d, hh, mi, ss, tz = iso.groups()
        try:
            day = date(int(y), int(mo), int(d))
            clock = time(int(hh), int(mi), int(ss or 0)) if hh else None
        except ValueError:
            return None
        return Stamp(0, len(value), value, day, clock, _zone(tz) if tz else None)
    stamps = find_stamps(value, reference_year=reference_year, month_first=month_first)
    return stamps[0] if stamps else None
