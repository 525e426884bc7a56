"""Tag stage: named entities (PER/ORG/LOC/MISC) with character offsets into the final `text`.

German and English are tagged by spaCy pipelines trained by this project and shipped inside the
package (`workers/models`, see docs/entities.md); no download at run time. Any other language gets
`entities: []` and `entities_status = "unsupported_language:<code>"`, never another language's model.
The title is tagged too: its mentions count for salience (`entity_summary`), but `entities` offsets
index `text` only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from workers.models import model_path
from workers.records import Article
from workers.stages.tag.canonical import Mention, canonicalise, harmonise, trim
from workers.stages.tag.salience import summarise

LABELS = frozenset({"PER", "ORG", "LOC", "MISC"})


@dataclass(frozen=True, slots=True)
class TagConfig:
    languages: tuple[str, ...] = ("de", "en")
    # A directory holding `ner-<lang>/` pipelines; None = the models shipped in the package.
    model_dir: str | None = None
    # Longer texts are tagged on their first `max_chars` characters (status `ok_truncated`).
    max_chars: int = 200_000


@cache
def load_pipeline(path: str) -> Any:
    """Load one spaCy pipeline once per process (pool processes are recycled, so this stays bounded).

    spaCy is imported here, not at module import, so processes that never tag do not pay for it.
    """
    import spacy  # noqa: PLC0415

    from workers.stages.tag import model  # noqa: PLC0415  (registers the models' custom parts)

    nlp = spacy.load(path)
    model.compact_lexicon(nlp)
    return nlp


def pipeline_for(code: str, cfg: TagConfig) -> Any | None:
    if code not in cfg.languages:
        return None
    path = model_path(code, Path(cfg.model_dir) if cfg.model_dir else None)
    return load_pipeline(str(path)) if path else None


def tag(nlp: Any, text: str, field: str) -> list[Mention]:
    """Model spans of one field, trimmed of edge punctuation and of person roles."""
    found = []
    for ent in nlp(text).ents:
        if ent.label_ in LABELS:
            mention = trim(Mention(ent.text, ent.label_, ent.start_char, ent.end_char, field))
            if mention is not None:
                found.append(mention)
    return found


def dateline_mentions(dateline: dict[str, Any] | None) -> list[Mention]:
    """A wire dateline's place is a LOC and its agency an ORG (`WASHINGTON (dpa-AFX) -`).

    The extract stage moves the dateline out of `text`, so these mentions reach the summary only
    (field `dateline.place` / `dateline.agency`, offsets into that value), not `entities`.
    """
    found = []
    for key, label in (("place", "LOC"), ("agency", "ORG")):
        value = (dateline or {}).get(key)
        if isinstance(value, str) and value.strip():
            mention = trim(Mention(value, label, 0, len(value), f"dateline.{key}"))
            if mention is not None:
                found.append(mention)
    return found


def run(article: Article, cfg: TagConfig) -> Article:
    """Tag title and text; fill `entities`, `entity_summary` and `entities_status`."""
    code = (article.language or {}).get("code", "und")
    nlp = pipeline_for(code, cfg)
    if nlp is None:
        return dataclasses.replace(article, entities=[], entity_summary=[],
                                   entities_status=f"unsupported_language:{code}")
    text, status = article.text, "ok"
    if len(text) > cfg.max_chars:  # cut at a space so no word is split into a false entity
        cut = text.rfind(" ", 0, cfg.max_chars + 1)
        text, status = text[:cut if cut > 0 else cfg.max_chars], "ok_truncated"
    mentions = tag(nlp, article.title, "title") if article.title else []
    mentions += tag(nlp, text, "text")
    mentions += dateline_mentions(article.dateline)
    canonicals = canonicalise(mentions)
    mentions = harmonise(mentions, canonicals)
    entities = [{"text": m.text, "label": m.label, "start": m.start, "end": m.end, "canonical": c}
                for m, c in zip(mentions, canonicals, strict=True) if m.field == "text"]
    summary = summarise(mentions, canonicals, text)
    return dataclasses.replace(article, entities=entities, entity_summary=summary, entities_status=status)
