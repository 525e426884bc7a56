"""Date expressions in text: a table of German and English phrasing as news articles write it.

Each row: sentence, language, publication day, and the mentions expected as (text, ISO day) in order.
An empty list is a negative case: nothing in the sentence may become a date.
2025-12-31 is a Wednesday, 2024-03-14 a Thursday.
"""

from __future__ import annotations

from datetime import date

import pytest

from workers.stages.normalize.textdates import find_dates

NYE = date(2025, 12, 31)
PI = date(2024, 3, 14)

CASES: list[tuple[str, str, date, list[tuple[str, str]]]] = [
    # --- German: absolute, with and without year -------------------------------------------------
    ("Ein Treffen sei am 3. Jänner in der Ukraine geplant.", "de", NYE, [("3. Jänner", "2026-01-03")]),
    ("Am 6. Januar solle dann ein Treffen folgen.", "de", NYE, [("6. Januar", "2026-01-06")]),
    ("Der Gipfel ist für den 6. Januar 2026 angesetzt.", "de", NYE, [("6. Januar 2026", "2026-01-06")]),
    ("Die Wahl fand am 14. Dezember statt.", "de", NYE, [("14. Dezember", "2025-12-14")]),
    ("Am 2. Feber beginnt das Sommersemester.", "de", NYE, [("2. Feber", "2026-02-02")]),
    ("Seit dem 24. Februar 2022 führt Russland Krieg.", "de", NYE, [("24. Februar 2022", "2022-02-24")]),
    ("Am 3. Oktober 1990 wurde Deutschland wiedervereinigt.", "de", NYE, [("3. Oktober 1990", "1990-10-03")]),
    ("Wien, 31. Dezember 2025 \u2013 Die Regierung tagte.", "de", NYE, [("31. Dezember 2025", "2025-12-31")]),
    ("31.12.25, 20:50", "de", NYE, [("31.12.25, 20:50", "2025-12-31")]),
    ("Stand: 30.12.2025", "de", NYE, [("30.12.2025", "2025-12-30")]),
    ("Die Frist endet am 15.01.2026 um Mitternacht.", "de", NYE, [("15.01.2026", "2026-01-15")]),
    ("Am Freitag, 2. Jänner, wird verhandelt.", "de", NYE, [("Am Freitag, 2. Jänner", "2026-01-02")]),
    ("Die Messe läuft vom 8. bis 11. Jänner.", "de", NYE, [("8. bis 11. Jänner", "2026-01-08")]),
    ("Zuletzt hatte er am 28. November Stellung genommen.", "de", NYE, [("28. November", "2025-11-28")]),
    # --- German: weekdays ---------------------------------------------------------------------------
    ("Die USA haben am Mittwoch mit der Ukraine beraten.", "de", NYE, [("am Mittwoch", "2025-12-31")]),
    ("Am Montag hatte Selenskyj die Pläne vorgestellt.", "de", NYE, [("Am Montag", "2025-12-29")]),
    ("Am Mittwochabend telefonierten die Berater.", "de", NYE, [("Am Mittwochabend", "2025-12-31")]),
    ("Die Gespräche sollen am kommenden Freitag fortgesetzt werden.", "de", NYE,
     [("kommenden Freitag", "2026-01-02")]),
    ("Das Kabinett trifft sich nächsten Dienstag.", "de", NYE, [("nächsten Dienstag", "2026-01-06")]),
    ("Vergangenen Dienstag war die Lage noch ruhig.", "de", NYE, [("Vergangenen Dienstag", "2025-12-30")]),
    ("Das Spiel wurde letzten Sonntag abgesagt.", "de", NYE, [("letzten Sonntag", "2025-12-28")]),
    ("Am Donnerstag soll der Vertrag unterzeichnet werden.", "de", NYE, [("Am Donnerstag", "2026-01-01")]),
    ("Sonntagabend kam es zu Ausschreitungen.", "de", NYE, [("Sonntagabend", "2025-12-28")]),
    # --- German: relative -----------------------------------------------------------------------
    ("Das Ministerium teilte gestern mit, dass", "de", NYE, [("gestern", "2025-12-30")]),
    ("Wie die Polizei heute bestätigte, gab es Verletzte.", "de", NYE, [("heute", "2025-12-31")]),
    ("Die Sitzung wird morgen fortgesetzt.", "de", NYE, [("morgen", "2026-01-01")]),
    ("Bereits vorgestern war der Strom ausgefallen.", "de", NYE, [("vorgestern", "2025-12-29")]),
    ("Das Ergebnis wird übermorgen erwartet.", "de", NYE, [("übermorgen", "2026-01-02")]),
    ("Erst vor zwei Wochen hatte er gewarnt.", "de", NYE, [("vor zwei Wochen", "2025-12-17")]),
    ("Der Unfall ereignete sich vor drei Tagen.", "de", NYE, [("vor drei Tagen", "2025-12-28")]),
    ("Vor einem Jahr lag die Inflation höher.", "de", NYE, [("Vor einem Jahr", "2024-12-31")]),
    ("In zwei Wochen soll das Gesetz gelten.", "de", NYE, [("In zwei Wochen", "2026-01-14")]),
    ("Heute Morgen blieb es ruhig.", "de", NYE, [("Heute", "2025-12-31")]),
    # --- German: negatives ----------------------------------------------------------------------
    ("Die Teilnahme von Vertretern von mehr als zehn Ländern wird erwartet.", "de", NYE, []),
    ("Die USA haben mit der Ukraine und Europa gesprochen.", "de", NYE, []),
    ("Im Mai 2024 wurde das Parlament gewählt.", "de", NYE, []),
    ("Die seit fast vier Jahren angegriffene Ukraine", "de", NYE, []),
    ("Die Aktie stieg um 12.5 Prozent auf 3.20 Euro.", "de", NYE, []),
    ("Am Morgen trafen sich die Minister.", "de", NYE, []),
    ("Am frühen Morgen wurde der Verdächtige festgenommen.", "de", NYE, []),
    ("Der Mai ist gekommen, die Bäume schlagen aus.", "de", NYE, []),
    ("Die Mittwochsrunde fiel aus.", "de", NYE, []),
    ("Bis Ende Jänner bleibt die Straße gesperrt.", "de", NYE, []),
    ("Version 2.1.0 behebt den Fehler.", "de", NYE, []),
    ("Mitte Januar wird entschieden.", "de", NYE, []),
    ("100 m Hürden: 1. Meier, Anna; 2. Ott, Verena; 3. Kunz, Lena", "de", NYE, []),
    ("Die Inflation ist so hoch wie zuletzt in zehn Jahren, die höchste in 10 Jahren.", "de", NYE, []),
    ("Im April 20 Prozent mehr Umsatz.", "de", NYE, []),
    # --- English: absolute ----------------------------------------------------------------------
    ("The meeting is planned for January 3 in Kyiv.", "en", NYE, [("January 3", "2026-01-03")]),
    ("Talks resumed on Dec. 31, 2025 8:50 p.m. ET, officials said.", "en", NYE,
     [("Dec. 31, 2025 8:50 p.m. ET", "2025-12-31")]),
    ("The riot took place on Jan. 6, 2021.", "en", NYE, [("Jan. 6, 2021", "2021-01-06")]),
    ("Leaders will meet Jan. 6 in Paris.", "en", NYE, [("Jan. 6", "2026-01-06")]),
    ("The law was passed on 3 March 2024.", "en", PI, [("3 March 2024", "2024-03-03")]),
    ("Shares fell on March 3.", "en", PI, [("March 3", "2024-03-03")]),
    ("The company filed on May 5, 2023.", "en", PI, [("May 5, 2023", "2023-05-05")]),
    ("Fireworks are planned for the 4th of July.", "en", PI, [("4th of July", "2024-07-04")]),
    ("The deadline is 12/31/2025.", "en", NYE, [("12/31/2025", "2025-12-31")]),
    ("Published Fri, 02 Jan 2026 09:00 GMT", "en", NYE, [("02 Jan 2026 09:00 GMT", "2026-01-02")]),
    # --- English: weekdays and relative ---------------------------------------------------------
    ("The envoy said on Wednesday that talks were fruitful.", "en", NYE, [("on Wednesday", "2025-12-31")]),
    ("The two leaders will meet next Tuesday.", "en", NYE, [("next Tuesday", "2026-01-06")]),
    ("Police arrested him last Friday.", "en", NYE, [("last Friday", "2025-12-26")]),
    ("She spoke on Friday about the budget.", "en", PI, [("on Friday", "2024-03-08")]),
    ("He will speak on Friday in Ohio.", "en", PI, [("on Friday", "2024-03-15")]),
    ("Protests continued Wednesday night.", "en", PI, [("Wednesday night", "2024-03-13")]),
    ("The storm hit on Monday night.", "en", PI, [("on Monday", "2024-03-11")]),
    ("Officials said yesterday that", "en", NYE, [("yesterday", "2025-12-30")]),
    ("The vote is expected tomorrow.", "en", NYE, [("tomorrow", "2026-01-01")]),
    ("The president speaks tonight.", "en", NYE, [("tonight", "2025-12-31")]),
    ("The fire started two weeks ago.", "en", NYE, [("two weeks ago", "2025-12-17")]),
    ("He resigned three days ago.", "en", NYE, [("three days ago", "2025-12-28")]),
    ("A year ago, prices were lower.", "en", NYE, [("A year ago", "2024-12-31")]),
    ("The rules take effect in two weeks.", "en", NYE, [("in two weeks", "2026-01-14")]),
    ("Interest rates will rise in two years, the bank said.", "en", NYE, [("in two years", "2027-12-31")]),
    # --- English: negatives ---------------------------------------------------------------------
    ("Growth was at its lowest pace in 50 years.", "en", PI, []),
    ("The team won for the first time in two years.", "en", PI, []),
    ("You may march on the capital if you wish.", "en", PI, []),
    ("The march on Washington drew thousands.", "en", PI, []),
    ("It may rain later.", "en", PI, []),
    ("Sales rose in May.", "en", PI, []),
    ("USA Today reported the story first.", "en", PI, []),
    ("The Sunday Times said the minister resigned.", "en", PI, []),
    ("Theresa May said the deal was done.", "en", PI, []),
    ("The 2024 election is close.", "en", PI, []),
    ("NASA's Mars rover found 2 Mars rocks.", "en", PI, []),
    ("The bill passed by a 10-12 vote.", "en", PI, []),
    ("Prices rose in the 1990s.", "en", PI, []),
]


@pytest.mark.parametrize(("sentence", "language", "published", "expected"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_date_expression(sentence: str, language: str, published: date,
                         expected: list[tuple[str, str]]) -> None:
    found = find_dates(sentence, published, language=language)
    assert [(d["text"], d["value"]) for d in found] == expected
    for mention in found:
        assert sentence[mention["start"]:mention["end"]] == mention["text"]


def test_table_size() -> None:
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if not c[3]) >= 15


def test_without_publication_date_only_full_dates_resolve() -> None:
    found = find_dates("Am Mittwoch, gestern und am 6. Januar 2026.", None, language="de")
    assert [(d["text"], d["value"]) for d in found] == [("6. Januar 2026", "2026-01-06")]
