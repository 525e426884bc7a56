"""Tag stage: named entities (PER/ORG/LOC/MISC) with character offsets into the final `text`.

Baseline method until the trained model ships: runs of capitalised words that are not
sentence-initial function words, labelled by a small gazetteer of suffixes. Replaced by the
trained spaCy pipeline (issue 5) without changing the stage's signature.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from workers.records import Article

_CANDIDATE = re.compile(r"\b(?:[A-ZÄÖÜ][\w\-]+)(?:\s+[A-ZÄÖÜ][\w\-]+)*")
_ORG_SUFFIX = ("AG", "GmbH", "Inc", "Ltd", "Corp", "NATO", "Nato", "CDU", "SPD", "EU", "UN")
_STOP = {"Der", "Die", "Das", "Den", "Dem", "Des", "Ein", "Eine", "The", "A", "An", "In", "Am", "Im", "Als",
         "Auch", "Er", "Sie", "Es", "Wir", "Zuvor", "Dabei", "Thema", "Bereits", "Erst", "It", "He", "She"}


@dataclass(frozen=True, slots=True)
class EntitiesConfig:
    languages: tuple[str, ...] = ("de", "en")


def run(article: Article, cfg: EntitiesConfig) -> Article:
    code = (article.language or {}).get("code", "und")
    if code not in cfg.languages:
        return dataclasses.replace(article, entities=[], entities_status=f"unsupported_language:{code}")
    return dataclasses.replace(article, entities=baseline_entities(article.text), entities_status="ok")


def baseline_entities(text: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for match in _CANDIDATE.finditer(text):
        words = match.group(0).split()
        while words and words[0] in _STOP:
            words = words[1:]
        if not words:
            continue
        surface = " ".join(words)
        start = match.end() - len(surface)
        label = "ORG" if words[-1] in _ORG_SUFFIX else ("PER" if len(words) >= 2 else "MISC")
        found.append({"text": surface, "label": label, "start": start, "end": match.end(), "canonical": surface})
    return found
