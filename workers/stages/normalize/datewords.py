"""Calendar vocabulary (months, weekdays, number words, zone abbreviations) shared by the date modules.

Tables, not logic: month names in de/en/fr/es/it (with Austrian `Jänner`/`Feber`), weekday names in
de/en, and the regex alternations built from them once at import.
"""

from __future__ import annotations

import re

# Month name (lower case, without trailing dot) -> month number.
MONTHS: dict[str, int] = {}
_MONTH_TABLE = {
    1: "januar jänner jaenner jänn jän jan january janvier janv enero ene gennaio genn gen",
    2: "februar feber feb febr february février fevrier févr fevr febrero febbraio",
    3: "märz maerz mär mrz march mar mars marzo",
    4: "april apr avril avr abril abr aprile",
    5: "mai may mayo maggio mag",
    6: "juni jun june juin junio giugno giu",
    7: "juli jul july juillet juil julio luglio lug",
    8: "august aug août aout agosto ago",
    9: "september sep sept septembre septiembre setiembre settembre set",
    10: "oktober okt october oct octobre octubre ottobre ott",
    11: "november nov novembre noviembre",
    12: "dezember dez december dec décembre decembre déc diciembre dic dicembre",
}
for _number, _names in _MONTH_TABLE.items():
    for _name in _names.split():
        MONTHS[_name] = _number

# English abbreviations/names that are also ordinary words: only ever read with a day or year next to
# them and capitalised ("May 5", "March 2020"); the text-date grammar enforces that.
AMBIGUOUS_EN_MONTHS = frozenset({"may", "march", "mar", "jun", "jan", "aug", "sept", "sep", "dec", "oct",
                                 "nov", "apr", "feb", "jul", "set", "gen", "mag", "ago", "dic", "giu",
                                 "lug", "ott", "ene", "abr"})

# Weekday name (lower case) -> Monday=0 .. Sunday=6 (de, en).
WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate((
    "montag monday", "dienstag tuesday", "mittwoch wednesday", "donnerstag thursday",
    "freitag friday", "samstag sonnabend saturday", "sonntag sunday",
)):
    for _name in _names.split():
        WEEKDAYS[_name] = _index

# Number words used in relative phrases ("vor zwei Wochen", "three days ago").
NUMBER_WORDS: dict[str, int] = {
    "ein": 1, "eine": 1, "einem": 1, "einer": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

# Unit word -> (days per unit, months per unit); months/years move by calendar months.
UNITS: dict[str, tuple[int, int]] = {
    "tag": (1, 0), "tage": (1, 0), "tagen": (1, 0), "day": (1, 0), "days": (1, 0),
    "woche": (7, 0), "wochen": (7, 0), "week": (7, 0), "weeks": (7, 0),
    "monat": (0, 1), "monaten": (0, 1), "monate": (0, 1), "month": (0, 1), "months": (0, 1),
    "jahr": (0, 12), "jahren": (0, 12), "jahre": (0, 12), "year": (0, 12), "years": (0, 12),
}

# Zone abbreviations that news pages print next to a time. Fixed offsets on purpose: "ET" is read
# through America/New_York by the caller because its offset depends on the date.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "gmt": "UTC", "utc": "UTC", "z": "UTC", "bst": "Europe/London",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "mez": "Europe/Berlin", "mesz": "Europe/Berlin",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
}


def alternation(words: list[str] | set[str] | frozenset[str] | dict[str, int]) -> str:
    """A regex alternation of `words`, longest first so `Januar` wins over `Jan`."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


MONTH_RE = alternation(MONTHS)
WEEKDAY_RE = alternation(WEEKDAYS)
NUMBER_RE = alternation(NUMBER_WORDS)
UNIT_RE = alternation(list(UNITS))
ZONE_RE = alternation([z.upper() for z in ZONE_ABBREVIATIONS])  # upper case only: "ist" is German


def month_number(name: str) -> int | None:
    return MONTHS.get(name.lower().rstrip("."))


_SHORT_FULL_NAMES = frozenset({"mai", "may", "juni", "juli", "june", "july", "juin", "mars", "mayo", "août",
                               "aout"})


def is_abbreviation(name: str) -> bool:
    """`Jan.`/`Sept.` are abbreviations (their dot belongs to them); `Juli.` ends a sentence."""
    bare = name.lower().rstrip(".")
    return len(bare) <= 4 and bare not in _SHORT_FULL_NAMES
