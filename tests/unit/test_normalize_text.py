"""Text clean-up: NFC, invisible characters, whitespace with paragraph breaks kept."""

from __future__ import annotations

import unicodedata

import pytest

from workers.stages.normalize.text import clean_line, clean_text

PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "mi-khaham", with a ZWNJ


@pytest.mark.parametrize(("raw", "clean"), [
    ("Stra\u00adßen\u00adbahn", "Straßenbahn"),                        # soft hyphens
    ("Zero\u200bwidth\u2060joiner\ufeff", "Zerowidthjoiner"),          # ZWSP, word joiner, BOM
    ("a \u200cb", "a b"),                                               # stray ZWNJ next to a space
    (PERSIAN, PERSIAN),                                                 # ZWNJ inside Persian kept
    ("  viele   Leer\tzeichen  ", "viele Leer zeichen"),
    ("eins\u00a0zwei\u202fdrei", "eins zwei drei"),                     # no-break spaces
    ("Absatz eins\n\n\n\n  Absatz zwei", "Absatz eins\n\nAbsatz zwei"),
    ("Zeile eins\nZeile zwei", "Zeile eins\nZeile zwei"),                # a line break inside a paragraph
    ("Windows\r\nZeilen\r\n\r\nEnde", "Windows\nZeilen\n\nEnde"),
    ("Steuer\x07zeichen", "Steuerzeichen"),
    ("  \n\n Text \n \n ", "Text"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_nfc() -> None:
    decomposed = "Ja\u0308nner Cafe\u0301"
    assert clean_text(decomposed) == "Jänner Café"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


def test_idempotent() -> None:
    once = clean_text("A\u00ad b \n\n\n c\u200b")
    assert clean_text(once) == once


def test_clean_line() -> None:
    assert clean_line(" Titel\nmit\u00ad  Umbruch ") == "Titel mit Umbruch"
