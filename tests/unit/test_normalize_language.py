"""Language identification: codes for the web's common languages, `und` for short or mixed text, the
hint as fallback."""

from __future__ import annotations

import random

import pytest
from justext import get_stoplist

from workers.stages.normalize.language import LanguageConfig, detect_language

CFG = LanguageConfig()

# One news sentence per language, written for these tests (the first ten languages, and those whose
# word-list text below is ambiguous between close relatives).
SENTENCES = {
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
    "zh": "政府周三宣布了应对能源价格上涨的新措施。",
    "th": "รัฐบาลประกาศมาตรการใหม่เมื่อวันพุธเพื่อรับมือกับราคาพลังงานที่สูงขึ้น",
    "hr": "Vlada je u srijedu najavila nove mjere protiv rasta cijena energije u cijeloj zemlji.",
    "af": "Die regering het Woensdag nuwe maatreëls aangekondig teen die stygende energiepryse in die land.",
    "tl": "Inihayag ng pamahalaan noong Miyerkules ang mga bagong hakbang laban sa pagtaas ng presyo ng enerhiya.",
    "mt": "Il-gvern ħabbar nhar l-Erbgħa miżuri ġodda kontra ż-żieda fil-prezzijiet tal-enerġija fil-pajjiż.",
}

# Further languages of the web's top content languages, as text of 40 words drawn (seeded) from the
# language's own frequent-word list, the one jusText ships: real vocabulary of each language.
WORD_LISTS = {
    "pt": "Portuguese", "tr": "Turkish", "fa": "Persian", "vi": "Vietnamese", "id": "Indonesian", "cs": "Czech",
    "ko": "Korean", "uk": "Ukrainian", "hu": "Hungarian", "sv": "Swedish", "ro": "Romanian", "el": "Greek",
    "da": "Danish", "fi": "Finnish", "he": "Hebrew", "sk": "Slovak", "bg": "Bulgarian", "no": "Norwegian_Bokmal",
    "sr": "Serbian", "lt": "Lithuanian", "sl": "Slovenian", "et": "Estonian", "lv": "Latvian", "hi": "Hindi",
    "ca": "Catalan", "bn": "Bengali", "ms": "Malay", "az": "Azerbaijani", "ka": "Georgian", "ta": "Tamil",
    "sq": "Albanian", "mk": "Macedonian", "is": "Icelandic", "hy": "Armenian", "kk": "Kazakh", "ur": "Urdu",
    "be": "Belarusian", "eu": "Basque", "gl": "Galician", "mr": "Marathi", "te": "Telugu", "ml": "Malayalam",
    "ne": "Nepali", "cy": "Welsh", "uz": "Uzbek", "kn": "Kannada", "gu": "Gujarati", "ga": "Irish",
}


def word_list_text(language: str, code: str) -> str:
    words = sorted(get_stoplist(language))
    return " ".join(random.Random(code).sample(words, min(40, len(words))))


TEXTS = {**SENTENCES, **{code: word_list_text(name, code) for code, name in WORD_LISTS.items()}}


def test_the_table_covers_at_least_fifty_languages() -> None:
    assert len(TEXTS) >= 60


@pytest.mark.parametrize(("code", "text"), TEXTS.items())
def test_detects_language(code: str, text: str) -> None:
    found = detect_language(text, None, CFG)
    assert found["code"] == code
    assert 0.5 <= found["confidence"] <= 1.0


def test_too_short_is_und_without_hint() -> None:
    assert detect_language("Ok 12", None, CFG) == {"code": "und", "confidence": 0.0}


def test_too_short_uses_hint() -> None:
    assert detect_language("Ok 12", "de-AT", CFG) == {"code": "de", "confidence": 0.5}


def test_conclusive_text_beats_wrong_hint() -> None:
    assert detect_language(SENTENCES["en"], "de", CFG)["code"] == "en"


@pytest.mark.parametrize("mixed", [
    f"{SENTENCES['de']} {SENTENCES['en']}",                      # one score alone: de 0.61, en 0.33
    f"{SENTENCES['de']} {SENTENCES['fr']} {SENTENCES['de']} {SENTENCES['fr']}",
])
def test_mixed_text_is_inconclusive_at_the_defaults(mixed: str) -> None:
    assert detect_language(mixed, None, CFG)["code"] == "und"
    assert detect_language(mixed, "fr", CFG)["code"] == "fr"


def test_a_quote_in_another_language_does_not_make_an_article_mixed() -> None:
    article = " ".join([SENTENCES["de"]] * 6 + ['"We will not give up," he said.'] + [SENTENCES["de"]] * 3)
    assert detect_language(article, None, CFG)["code"] == "de"


def test_croatian_is_not_split_away_by_its_older_label() -> None:
    # lid.176 spreads it over hr, bs and sh (Serbo-Croatian, no current code): sh backs the leader
    assert detect_language(SENTENCES["hr"], None, CFG) == {"code": "hr", "confidence": pytest.approx(0.67, abs=0.05)}


def test_three_letter_labels_are_not_iso_639_1() -> None:
    found = detect_language(SENTENCES["de"], None, CFG)
    assert len(found["code"]) == 2


def test_short_cjk_counts_per_character() -> None:
    assert detect_language("政府宣布了新的能源价格措施。", None, CFG)["code"] == "zh"
