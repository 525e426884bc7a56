"""Language identification: codes, `und` for short or mixed text, the hint as fallback."""

from __future__ import annotations

import statistics
import time

import pytest

from workers.stages.language import detect_language

KW = {"min_confidence": 0.5, "min_letters": 20, "min_margin": 0.2}

SAMPLES = {
    "de": "Die Regierung hat am Mittwoch neue Maßnahmen gegen die steigenden Energiepreise beschlossen.",
    "en": "The government announced new measures on Wednesday to fight rising energy prices in the country.",
    "fr": "Le gouvernement a annoncé mercredi de nouvelles mesures contre la hausse des prix de l'énergie.",
    "es": "El gobierno anunció el miércoles nuevas medidas contra el aumento de los precios de la energía.",
    "it": "Il governo ha annunciato mercoledì nuove misure contro l'aumento dei prezzi dell'energia.",
    "pl": "Rząd ogłosił w środę nowe środki przeciwko rosnącym cenom energii w całym kraju.",
    "nl": "De regering heeft woensdag nieuwe maatregelen aangekondigd tegen de stijgende energieprijzen.",
    "ru": "Правительство в среду объявило о новых мерах против роста цен на энергоносители.",  # noqa: RUF001
    "ja": "政府は水曜日、エネルギー価格の高騰に対する新たな対策を発表した。",
    "ar": "أعلنت الحكومة يوم الأربعاء عن إجراءات جديدة لمواجهة ارتفاع أسعار الطاقة.",
}


@pytest.mark.parametrize(("code", "text"), SAMPLES.items())
def test_detects_language(code: str, text: str) -> None:
    found = detect_language(text, None, **KW)
    assert found["code"] == code
    assert 0.5 <= found["confidence"] <= 1.0


def test_too_short_is_und_without_hint() -> None:
    assert detect_language("Ok 12", None, **KW) == {"code": "und", "confidence": 0.0}


def test_too_short_uses_hint() -> None:
    assert detect_language("Ok 12", "de-AT", **KW) == {"code": "de", "confidence": 0.5}


def test_conclusive_text_beats_wrong_hint() -> None:
    assert detect_language(SAMPLES["en"], "de", **KW)["code"] == "en"


def test_mixed_text_is_inconclusive() -> None:
    mixed = "Die Regierung hat beschlossen the government announced le gouvernement a annoncé"
    strict = {**KW, "min_margin": 0.9}
    assert detect_language(mixed, None, **strict)["code"] == "und"
    assert detect_language(mixed, "fr", **strict)["code"] == "fr"


def test_three_letter_labels_are_not_iso_639_1() -> None:
    found = detect_language(SAMPLES["de"], None, **KW)
    assert len(found["code"]) == 2


def test_fast() -> None:
    text = " ".join(SAMPLES.values()) * 20
    detect_language(text, None, **KW)  # model load
    seconds = []
    for _ in range(51):
        start = time.perf_counter()
        detect_language(text, None, **KW)
        seconds.append(time.perf_counter() - start)
    assert statistics.median(seconds) < 0.001  # the median shrugs off a busy neighbour on the CPU


def test_short_cjk_counts_per_character() -> None:
    assert detect_language("政府宣布了新的能源价格措施。", None, **KW)["code"] == "zh"
