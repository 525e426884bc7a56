"""Canonical names: one name per entity within an article, without titles or roles.

Three steps, in order: strip leading roles/titles from person mentions (`US-Sondergesandte Steve
Witkoff` -> `Steve Witkoff`); link surname-only mentions to the full-name mention of the same
article (`Witkoff` -> `Steve Witkoff`, also the German genitive `Witkoffs`); map known variants
through the curated alias table (`Selenskyj` -> `Volodymyr Zelenskyy`, `USA` -> `United States`).
Linking inside the article goes first, so a surname shared by two people follows the article. Last,
all mentions of one canonical get one label (`harmonise`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from workers.stages.tag.aliases import kind, lookup

# Role and title words (lower case) that precede a name but are not part of it. A leading token is
# stripped when it is one of these, when its last hyphen part is (`US-Sondergesandte`), or when it is a
# longer compound ending in one (`Außenminister`, `Ex-Präsident`, `Sonderbeauftragter`).
_ROLES = frozenset({
    "präsident", "präsidentin", "vizepräsident", "vizepräsidentin", "kanzler", "kanzlerin", "minister",
    "ministerin", "gesandte", "gesandter", "gesandten", "sondergesandte", "sondergesandter", "beauftragte",
    "beauftragter", "berater", "beraterin", "sprecher", "sprecherin", "chef", "chefin", "botschafter",
    "botschafterin", "senator", "senatorin", "abgeordnete", "abgeordneter", "general", "generalin",
    "papst", "könig", "königin", "prinz", "prinzessin", "premier", "premierminister", "premierministerin",
    "bürgermeister", "bürgermeisterin", "vorsitzende", "vorsitzender", "sekretär", "sekretärin",
    "direktor", "direktorin", "kommissar", "kommissarin", "kommandeur", "oberbefehlshaber", "staatschef",
    "regierungschef", "parteichef", "herr", "frau", "dr", "dr.", "prof", "prof.", "scheich", "ajatollah",
    "emir", "sultan", "zar", "kaiser", "kaiserin", "fürst", "graf", "gräfin", "president", "vice",
    "secretary", "chancellor", "envoy", "governor", "mayor", "king", "queen", "prince", "princess", "pope",
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "sir", "lord", "lady", "gen.", "gov.", "sen.", "rep.",
    "sheikh", "ayatollah", "tsar", "marshal", "admiral", "commander", "chief", "ceo", "spokesman",
    "spokeswoman", "spokesperson", "adviser", "advisor", "ambassador", "leader",
})
# Stems for compounds: `Außenminister`, `Sonderbeauftragte`, `Ministerpräsident`, `Bundeskanzlerin`.
_ROLE_STEMS = ("präsident", "präsidentin", "kanzler", "kanzlerin", "minister", "ministerin", "gesandte",
               "gesandter", "beauftragte", "beauftragter", "botschafter", "sprecher", "sprecherin",
               "berater", "beraterin", "chef", "chefin", "vorsitzende", "vorsitzender", "sekretär",
               "kommissar", "kommissarin", "bürgermeister", "abgeordnete")
# A lone surname is often mislabelled ORG/MISC by the model (`neben Umjerow und Sautter`); it still
# links to the person's full-name mention. A LOC keeps its own reading (`Washington`).
_SURNAME_LABELS = frozenset({"PER", "ORG", "MISC"})
_DETERMINERS = frozenset({"der", "die", "des", "dem", "den", "the"})
_EDGE_PUNCT = "\"'\u201e\u201c\u201d\u201a\u2018\u2019\u00ab\u00bb()[]{}:;,.!?\u2013\u2014-"
_GENITIVE = re.compile("(?:['\u2019]s|['\u2019]|(?<=[a-z\u00e4\u00f6\u00fc\u00df])s)$")


@dataclass(frozen=True, slots=True)
class Mention:
    """One tagged span; `field` is `title` or `text`, offsets index that field."""

    text: str
    label: str
    start: int
    end: int
    field: str = "text"


def _is_role(token: str) -> bool:
    low = token.casefold()
    if low in _ROLES or low in _DETERMINERS:
        return True
    last_part = low.rsplit("-", 1)[-1]
    if last_part in _ROLES:
        return True
    return any(low.endswith(stem) and len(low) > len(stem) + 2 for stem in _ROLE_STEMS)


def trim(mention: Mention) -> Mention | None:
    """Strip edge punctuation, and leading roles/titles of persons; None when nothing is left."""
    text, start = mention.text, mention.start
    stripped = text.lstrip(_EDGE_PUNCT)
    start += len(text) - len(stripped)
    text = stripped.rstrip(_EDGE_PUNCT.replace(".", ""))  # keep `U.S.`, `Jr.`
    if mention.label == "PER":
        while True:
            head, _, rest = text.partition(" ")
            if not rest or not _is_role(head):
                break
            cut = len(text) - len(rest.lstrip())
            text, start = text[cut:], start + cut
    if not text or not any(ch.isalpha() for ch in text):
        return None
    return Mention(text, mention.label, start, start + len(text), mention.field)


def _display(name: str) -> str:
    """Shouted words of five letters or more in title case (`WASHINGTON` -> `Washington`); acronyms stay."""
    return " ".join(w.title() if len(w) >= 5 and w.isupper() else w for w in name.split(" "))


def _degenitive(name: str) -> str:
    return _GENITIVE.sub("", name)


def _known(name: str) -> str | None:
    """Alias-table canonical for a name or its genitive form (`Russlands`, `Selenskyjs`)."""
    found = lookup(name)
    if found is None and _degenitive(name) != name:
        found = lookup(_degenitive(name))
    return found


def canonicalise(mentions: Sequence[Mention]) -> list[str]:
    """The canonical name of each (trimmed) mention, in order."""
    full: dict[str, str] = {}  # multi-word person name -> its canonical
    for m in mentions:
        if m.label == "PER" and " " in m.text:
            full.setdefault(m.text, _known(m.text) or _display(m.text))
    for name in list(full):  # `Donald Trumps` (genitive) -> `Donald Trump` when both occur
        base = _degenitive(name)
        if base != name and base in full:
            full[name] = full[base]
    by_surname: dict[str, str] = {}
    for name, canonical in full.items():
        by_surname.setdefault(name.rsplit(" ", 1)[-1].casefold(), canonical)
        by_surname.setdefault(_degenitive(name.rsplit(" ", 1)[-1]).casefold(), canonical)
    result: list[str] = []
    for m in mentions:
        if m.label == "PER" and " " in m.text:
            result.append(full[m.text])
            continue
        if m.label in _SURNAME_LABELS:
            linked = by_surname.get(m.text.casefold()) or by_surname.get(_degenitive(m.text).casefold())
            if linked:
                result.append(linked)
                continue
        result.append(_known(m.text) or _known(_display(m.text)) or _display(m.text))
    return result


def harmonise(mentions: Sequence[Mention], canonicals: Sequence[str]) -> list[Mention]:
    """One label per canonical (one sense per article): the alias table's label when it knows the entity,
    else the label of the entity's full-name person mention, else the most frequent label (ties: the
    longest mention's)."""
    groups: dict[str, list[Mention]] = {}
    for m, c in zip(mentions, canonicals, strict=True):
        groups.setdefault(c, []).append(m)
    labels: dict[str, str] = {}
    for canonical, group in groups.items():
        known = kind(canonical)
        if known is None and any(m.label == "PER" and " " in m.text for m in group):
            known = "PER"
        if known is None:
            counts = Counter(m.label for m in group)
            known = max(group, key=lambda m: (counts[m.label], len(m.text))).label
        labels[canonical] = known
    return [m if m.label == labels[c] else replace(m, label=labels[c])
            for m, c in zip(mentions, canonicals, strict=True)]
