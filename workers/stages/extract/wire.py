"""Wire-copy conventions: the dateline that opens a story, agency sign-offs and picture credits.

`WASHINGTON (dpa-AFX) - Der ...` -> dateline {place: "WASHINGTON", agency: "dpa-AFX"}, body `Der ...`;
`... gesprochen./ngu/DP/he` -> credit "/ngu/DP/he"; a line `© Getty` -> credit "© Getty".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Place: capitalised words (an all-caps city, "Berlin", "CHARLESTON, Ill."), optionally a date
# ("March 4"); then the agency in parentheses: one to three short tokens; then a dash or colon.
_DATELINE = re.compile(r"""^\s*
    (?P<place>(?:[A-ZÄÖÜÉ][\w'\u2019.-]*(?:\s+|,\s*)){0,4}?[A-ZÄÖÜÉ][\w'\u2019.-]*)?
    (?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}))?
    \s*\((?P<agency>[A-Za-z][\w./&+-]{1,14}(?:[\s/][A-Za-z][\w.&+-]{0,14}){0,2})\)
    \s*[-\u2013\u2014:]\s+""", re.VERBOSE)

# dpa-style sign-off closing the text: "/ngu/DP/he", "/dh/DP/zb", "/ra/jha/"; preceded by end punctuation.
_SIGNOFF = re.compile(r"(?<=[.!?\"\u201d\u2019)\s])\s*(?P<signoff>/(?:[A-Za-z]{1,5}/){1,4}[A-Za-z]{0,5})\s*$")
# Reuters/AP style closing credit paragraph, "(Reporting by ...; Editing by ...)":
# copied to credits and kept in the body.
_CREDIT_PARAGRAPH = re.compile(
    r"^[\[(]?(?:(?:additional\s+)?reporting|writing|editing|compiled|mitarbeit|redaktion|bearbeitet|"
    r"text|recherche)\s+(?:by|von|:)\s.{2,200}?[\])]?$", re.IGNORECASE)
# A line that is only a picture credit: "© Getty", "Foto: dpa", "Photo: AP", "(c) APA/Hans Punz".
_PICTURE_CREDIT = re.compile(
    r"^(?:©|\(c\)|copyright\b|fotos?\s*:|bild(?:er)?\s*:|photos?\s*:|image\s*:|credit\s*:|quelle\s*:|"
    r"source\s*:|picture\s*:)\s*\S.{0,80}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Wire:
    paragraphs: list[str]
    dateline: dict[str, str] | None = None
    credits: list[str] = field(default_factory=list)


def parse_dateline(paragraph: str) -> tuple[dict[str, str] | None, str]:
    """Split a leading dateline off the first paragraph; the rest starts with the first word of the story."""
    match = _DATELINE.match(paragraph)
    if not match or len(match.group(0)) > 80:
        return None, paragraph
    place = (match.group("place") or "").strip(" ,")
    if place and not _placelike(place):
        return None, paragraph
    if not place and not _agencylike(match.group("agency").strip()):
        return None, paragraph  # "(Leipzig) - Von ...": a press release's place, part of the text
    dateline = {"place": place or None, "agency": match.group("agency").strip()}
    if match.group("date"):
        dateline["date"] = match.group("date")
    return {k: v for k, v in dateline.items() if v}, paragraph[match.end():].lstrip()


def _agencylike(agency: str) -> bool:
    """An agency in parentheses with no place before it: an abbreviation (`dpa`, `AP`, `dpa-AFX`,
    `APA/red`) or a known agency name; a capitalised word alone (`(Leipzig) -`) is a place."""
    head = re.split(r"[\s/]", agency)[0]
    return (not head[:1].isupper() or head.isupper() or "-" in head
            or head.lower() in _AGENCY_NAMES)


_AGENCY_NAMES = frozenset({
    "reuters", "bloomberg", "xinhua", "kyodo", "yonhap", "interfax", "anadolu", "belga", "lusa", "efe",
    "ansa", "tass", "ria", "agerpres", "bernama", "antara", "prensa", "notimex", "europa",
})


def _placelike(place: str) -> bool:
    """An all-caps city ("WASHINGTON", "CHARLESTON, Ill.") or one to three capitalised words."""
    words = place.replace(",", " ").split()
    return words[0].isupper() or len(words) <= 3


def picture_credit(line: str) -> bool:
    """A line that is only a picture credit (`© Getty`, `Foto: dpa`)."""
    return len(line) <= 100 and bool(_PICTURE_CREDIT.match(line))


def split_wire(paragraphs: list[str]) -> Wire:
    """Take the dateline, sign-off and credit lines out of the body paragraphs."""
    credits: list[str] = []
    kept: list[str] = []
    for paragraph in paragraphs:
        if picture_credit(paragraph):
            credits.append(paragraph)
        else:
            if _CREDIT_PARAGRAPH.match(paragraph):  # kept in the body too: it is part of the story
                credits.append(paragraph.strip("[]()"))
            kept.append(paragraph)
    dateline = None
    if kept:
        dateline, kept[0] = parse_dateline(kept[0])
    if kept:
        match = _SIGNOFF.search(kept[-1])
        if match:
            credits.append(match.group("signoff"))
            kept[-1] = kept[-1][:match.start()].rstrip()
    return Wire(paragraphs=[p for p in kept if p], dateline=dateline, credits=credits)
