"""Canonical names: role stripping, surname linking inside an article, the alias table."""

from __future__ import annotations

from workers.stages.tag.aliases import alias_table, lookup
from workers.stages.tag.canonical import Mention, canonicalise, harmonise, trim


def _mentions(*spans: tuple[str, str]) -> list[Mention]:
    out, pos = [], 0
    for text, label in spans:
        trimmed = trim(Mention(text, label, pos, pos + len(text)))
        assert trimmed is not None
        out.append(trimmed)
        pos += len(text) + 1
    return out


def test_role_prefix_is_stripped_and_offsets_follow() -> None:
    m = trim(Mention("US-Sondergesandte Steve Witkoff", "PER", 10, 41))
    assert m == Mention("Steve Witkoff", "PER", 28, 41)


def test_roles_in_compounds_and_english_titles() -> None:
    assert trim(Mention("Außenminister Sergej Lawrow", "PER", 0, 27)).text == "Sergej Lawrow"  # type: ignore[union-attr]
    assert trim(Mention("President Joe Biden", "PER", 0, 19)).text == "Joe Biden"  # type: ignore[union-attr]
    assert trim(Mention("Bundeskanzler Friedrich Merz", "PER", 0, 28)).text == "Friedrich Merz"  # type: ignore[union-attr]


def test_single_word_person_keeps_its_word_even_if_it_looks_like_a_role() -> None:
    assert trim(Mention("Richter", "PER", 0, 7)).text == "Richter"  # type: ignore[union-attr]


def test_roles_only_stripped_from_persons() -> None:
    assert trim(Mention("Präsident Hotel", "ORG", 0, 15)).text == "Präsident Hotel"  # type: ignore[union-attr]


def test_edge_quotes_are_trimmed_and_punctuation_only_dropped() -> None:
    assert trim(Mention("\u201eNato\u201c", "ORG", 5, 11)) == Mention("Nato", "ORG", 6, 10)
    assert trim(Mention("--", "MISC", 0, 2)) is None


def test_surname_links_to_full_name_in_same_article() -> None:
    ms = _mentions(("US-Sondergesandte Steve Witkoff", "PER"), ("Witkoff", "PER"), ("Witkoffs", "PER"))
    assert canonicalise(ms) == ["Steve Witkoff"] * 3


def test_surname_shared_by_two_people_follows_the_article() -> None:
    ms = _mentions(("Wladimir Klitschko", "PER"), ("Klitschko", "PER"))
    assert canonicalise(ms) == ["Wladimir Klitschko", "Wladimir Klitschko"]
    assert canonicalise(_mentions(("Klitschko", "PER"))) == ["Vitali Klitschko"]


def test_transliteration_variants_share_one_canonical() -> None:
    names = ["Selenskyj", "Zelensky", "Zelenskyy", "Wolodymyr Selenskyj", "Volodymyr Zelensky"]
    assert set(canonicalise(_mentions(*[(n, "PER") for n in names]))) == {"Volodymyr Zelenskyy"}
    assert canonicalise(_mentions(("Umjerow", "PER"), ("Umerov", "PER"))) == ["Rustem Umerov"] * 2


def test_country_names_across_languages_and_genitive() -> None:
    names = ["USA", "Vereinigte Staaten", "United States", "U.S."]
    assert set(canonicalise(_mentions(*[(n, "LOC") for n in names]))) == {"United States"}
    assert canonicalise(_mentions(("Russlands", "LOC"), ("Russia", "LOC"))) == ["Russia", "Russia"]
    assert canonicalise(_mentions(("Europas", "LOC"), ("Europa", "LOC"))) == ["Europe", "Europe"]


def test_shouted_names_are_title_cased_but_acronyms_kept() -> None:
    assert canonicalise(_mentions(("WASHINGTON", "LOC"), ("CDU", "ORG"))) == ["Washington", "CDU"]


def test_unknown_names_pass_through() -> None:
    ms = _mentions(("Günter Sautter", "PER"), ("Florida", "LOC"))
    assert canonicalise(ms) == ["Günter Sautter", "Florida"]


def test_alias_table_is_general_and_case_insensitive() -> None:
    assert len(alias_table()) > 400
    assert lookup("vereinigte staaten") == lookup("USA") == "United States"
    assert lookup("Nordatlantikpakt") == "NATO"
    assert lookup("Zelenskyy") == lookup("Selenskyj")
    assert lookup("no such name") is None


def test_surname_mislabelled_org_still_links_and_takes_the_person_label() -> None:
    ms = _mentions(("Günter Sautter", "PER"), ("Sautter", "ORG"))
    canonicals = canonicalise(ms)
    assert canonicals == ["Günter Sautter", "Günter Sautter"]
    assert [m.label for m in harmonise(ms, canonicals)] == ["PER", "PER"]


def test_place_named_like_a_surname_is_not_linked() -> None:
    ms = _mentions(("George Washington", "PER"), ("Washington", "LOC"))
    assert canonicalise(ms) == ["George Washington", "Washington"]


def test_alias_table_label_wins_then_majority() -> None:
    ms = _mentions(("USA", "ORG"), ("Vereinigte Staaten", "LOC"))
    assert [m.label for m in harmonise(ms, canonicalise(ms))] == ["LOC", "LOC"]
    ms = _mentions(("Siemens", "ORG"), ("Siemens", "ORG"), ("Siemens", "MISC"))
    assert [m.label for m in harmonise(ms, canonicalise(ms))] == ["ORG", "ORG", "ORG"]
