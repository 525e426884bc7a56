"""Tag stage: named entities (PER/ORG/LOC/MISC) with character offsets into the final `text`.

German and English are tagged by the tier `TagConfig.model` names; both ship inside the package
(`workers/models`, see docs/entities.md), nothing is downloaded at run time. `accurate` is the
fine-tuned multilingual e5-small encoder (one model for both languages); `fast` is one spaCy CNN per
language, distilled from it. Any other language gets `entities: []` and
`entities_status = "unsupported_language:<code>"`: the models were measured on German and English
only. The title is tagged too: its mentions count for salience (`entity_summary`), but `entities`
offsets index `text` only.

A missing or unreadable model is a broken deploy, not a bad article: `ModelUnavailable` is not a
`StageError`, so the worker stops instead of dead-lettering the stream.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from workers.errors import InfrastructureError
from workers.models import MODEL_FILES, model_path
from workers.records import Article
from workers.stages.tag.canonical import Mention, canonicalise, harmonise, trim
from workers.stages.tag.cnn import CnnTagger
from workers.stages.tag.encoder import EncoderTagger
from workers.stages.tag.salience import summarise
from workers.stages.tag.words import CharSpan, sentences, share_sentences, tag_sentences

LABELS = frozenset({"PER", "ORG", "LOC", "MISC"})


class ModelUnavailable(InfrastructureError):
    """The configured NER model cannot be loaded (missing file, corrupt graph): an infrastructure fault."""


@dataclass(frozen=True, slots=True)
class TagConfig:
    model: str = "accurate"           # accurate | fast
    languages: tuple[str, ...] = ("de", "en")
    # A directory holding `ner-<tier>/` model folders; None = the models shipped in the package.
    model_dir: str | None = None
    # Longer texts are tagged on their first `max_chars` characters (status `ok_truncated`).
    max_chars: int = 200_000


class Tagger(Protocol):
    def tag_text(self, text: str) -> list[CharSpan]: ...

    def tag_tokens(self, sentences_of_tokens: list[list[str]]) -> list[list[tuple[int, int, str]]]: ...


@cache
def load_tagger(tier: str, path: str) -> Tagger:
    """Load one model folder once per process (pool processes are recycled, so this stays bounded):
    the encoder (`ner-accurate`) or one language's CNN (`ner-fast/<code>`)."""
    folder = Path(path)
    missing = [name for name in MODEL_FILES[tier] if not (folder / name).is_file()]
    if missing:
        raise ModelUnavailable(f"NER model {folder} lacks {', '.join(missing)}")
    if tier == "fast":  # it cuts words into the accurate tier's pieces, with that tier's tokenizer (held once)
        tokenizer = model_path("accurate", folder.parent.parent) / "tokenizer.json"
        if not tokenizer.is_file():
            raise ModelUnavailable(f"NER model {folder} needs the piece tokenizer {tokenizer}")
    try:
        return CnnTagger(folder, tokenizer) if tier == "fast" else EncoderTagger(folder)
    except Exception as exc:  # ONNX Runtime and spaCy raise their own untyped errors for corrupt files
        raise ModelUnavailable(f"NER model {folder} cannot be loaded: {exc}") from exc


def tagger_for(cfg: TagConfig, language: str) -> Tagger:
    base = model_path(cfg.model, Path(cfg.model_dir) if cfg.model_dir else None)
    return load_tagger(cfg.model, str(base / language if cfg.model == "fast" else base))


def check_model(cfg: TagConfig) -> None:
    """Load the configured model(s) once and drop them: a worker checks its deploy before it consumes."""
    for language in cfg.languages:
        tagger_for(cfg, language)
    load_tagger.cache_clear()


def language_of(article: Article) -> str:
    """The normalize stage's language; without it (a worker running only `tag`), the producer's hint."""
    if article.language:
        return str(article.language.get("code") or "und")
    hint = article.hints.get("language")
    return hint.strip().lower().replace("_", "-").split("-")[0] if isinstance(hint, str) and hint.strip() else "und"


def tag(tagger: Tagger, text: str, field: str) -> list[Mention]:
    """Model spans of one field, trimmed of edge punctuation and of person roles."""
    return mentions(tagger.tag_text(text), text, field)


def mentions(spans: list[CharSpan], text: str, field: str) -> list[Mention]:
    """Mentions of model spans over `text`, trimmed of edge punctuation and of person roles."""
    found = []
    for start, end, label in spans:
        mention = trim(Mention(text[start:end], label, start, end, field))
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


def _text_to_tag(article: Article, cfg: TagConfig) -> tuple[str, str]:
    """The part of `text` that is tagged and the status saying so: past `max_chars` it is cut at a
    space, so no word is split into a false entity."""
    text = article.text
    if len(text) <= cfg.max_chars:
        return text, "ok"
    cut = text.rfind(" ", 0, cfg.max_chars + 1)
    return text[:cut if cut > 0 else cfg.max_chars], "ok_truncated"


def text_spans(article: Article, cfg: TagConfig, part: int = 0, parts: int = 1) -> list[CharSpan]:
    """The model's spans in one of `parts` shares of the text's sentences (offsets into `text`).

    The tag step runs the shares of a long text in several pool processes at once and hands their
    spans, concatenated in order, to `run`: the same entities as one call, sooner.
    """
    code = language_of(article)
    if code not in cfg.languages:
        return []
    text, _ = _text_to_tag(article, cfg)
    return tag_sentences(tagger_for(cfg, code).tag_tokens, text, share_sentences(sentences(text), part, parts))


def run(article: Article, cfg: TagConfig, spans: list[CharSpan] | None = None) -> Article:
    """Tag title and text; fill `entities`, `entity_summary` and `entities_status`.

    `spans`: the text's model spans when they were found apart (`text_spans` of every share, in order).
    """
    code = language_of(article)
    if code not in cfg.languages:
        return dataclasses.replace(article, entities=[], entity_summary=[],
                                   entities_status=f"unsupported_language:{code}")
    text, status = _text_to_tag(article, cfg)
    tagger = tagger_for(cfg, code)
    found = tag(tagger, article.title, "title") if article.title else []
    found += mentions(text_spans(article, cfg) if spans is None else spans, text, "text")
    found += dateline_mentions(article.dateline)
    canonicals = canonicalise(found)
    found = harmonise(found, canonicals)
    entities = [{"text": m.text, "label": m.label, "start": m.start, "end": m.end, "canonical": c}
                for m, c in zip(found, canonicals, strict=True) if m.field == "text"]
    summary = summarise(found, canonicals, text)
    return dataclasses.replace(article, entities=entities, entity_summary=summary, entities_status=status)
