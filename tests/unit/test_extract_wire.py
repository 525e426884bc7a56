"""Wire conventions: datelines of each agency style, sign-offs and picture credits."""

from __future__ import annotations

import pytest

from workers.stages.extract import wire


@pytest.mark.parametrize(("paragraph", "dateline", "rest"), [
    ("WASHINGTON (dpa-AFX) - Der Gesandte sprach.", {"place": "WASHINGTON", "agency": "dpa-AFX"},
     "Der Gesandte sprach."),
    ("BERLIN (dpa) - Die Regierung plant.", {"place": "BERLIN", "agency": "dpa"}, "Die Regierung plant."),
    ("Berlin (dpa) \u2013 Die Regierung plant.", {"place": "Berlin", "agency": "dpa"},
     "Die Regierung plant."),
    ("(Reuters) - Apple said on Monday.", {"agency": "Reuters"}, "Apple said on Monday."),
    ("(AP) — The storm moved east.", {"agency": "AP"}, "The storm moved east."),
    ("LONDON, March 4 (Reuters) - Shares fell.", {"place": "LONDON", "agency": "Reuters", "date": "March 4"},
     "Shares fell."),
    ("CHARLESTON, Ill. (AP) — Tiger scored.", {"place": "CHARLESTON, Ill.", "agency": "AP"}, "Tiger scored."),
    ("NEW YORK (AFP) - Stocks rose.", {"place": "NEW YORK", "agency": "AFP"}, "Stocks rose."),
    ("(dpa) - Die Regierung plant.", {"agency": "dpa"}, "Die Regierung plant."),
])
def test_dateline_styles(paragraph: str, dateline: dict[str, str], rest: str) -> None:
    assert wire.parse_dateline(paragraph) == (dateline, rest)


@pytest.mark.parametrize("paragraph", [
    "Der Kanzler (CDU) sagte am Montag, er sei zufrieden.",
    "Barack Obama (D) - said nothing.",
    "The results (see table) - are mixed.",
    "Ein ganz normaler erster Satz ohne Ortsmarke.",
    "(Leipzig) - Von Preisbremsen im Energiemarkt bis zur Mehrwegpflicht.",  # a press release's place
])
def test_no_dateline_in_ordinary_first_sentences(paragraph: str) -> None:
    assert wire.parse_dateline(paragraph) == (None, paragraph)


def test_signoff_and_picture_credits_move_to_credits() -> None:
    result = wire.split_wire(["BERLIN (dpa) - Erster Absatz.", "© Getty", "Foto: dpa/Michael Kappeler",
                              "Letzter Absatz mit Abschluss./ngu/DP/he"])
    assert result.paragraphs == ["Erster Absatz.", "Letzter Absatz mit Abschluss."]
    assert result.dateline == {"place": "BERLIN", "agency": "dpa"}
    assert result.credits == ["© Getty", "Foto: dpa/Michael Kappeler", "/ngu/DP/he"]


@pytest.mark.parametrize("last", [
    "Das Auto fuhr 120 km/h.",
    "Mehr unter example.org/a/b/c",
    "Er sagte und/oder sie sagte.",
])
def test_slashes_in_ordinary_text_are_not_signoffs(last: str) -> None:
    result = wire.split_wire([last])
    assert result.paragraphs == [last]
    assert result.credits == []


def test_reuters_credit_paragraph_is_copied_to_credits_and_kept() -> None:
    result = wire.split_wire(["Body sentence here.", "(Reporting by Jane Doe; Editing by John Roe)"])
    assert result.paragraphs[-1] == "(Reporting by Jane Doe; Editing by John Roe)"
    assert result.credits == ["Reporting by Jane Doe; Editing by John Roe"]
