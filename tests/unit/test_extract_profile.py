"""Per-source boilerplate profile: counting, bounds, serialisation, and stripping with it."""

from __future__ import annotations

import orjson

from workers.stages import extract
from workers.stages.extract import plaintext, profiles

PROMO = "Unsere Redaktion empfiehlt Ihnen heute ganz besonders die Angebote unseres langjährigen Partners."


PLACES = ["Hamburg", "Köln", "Leipzig", "Dresden", "Bremen"]


def _article(n: int) -> str:
    """A distinct article of one source, with the same promo sentence inside the body every time."""
    place = PLACES[n]
    first = (f"In {place} hat das Gericht am Dienstag entschieden, dass die Klage der Anwohner "
             f"gegen den Ausbau der Straße zulässig ist und neu verhandelt werden muss.")
    second = (f"Die Stadt {place} will nun prüfen, ob sie gegen das Urteil Berufung einlegt, teilte ein "
              f"Sprecher mit. Eine Entscheidung werde in den kommenden Wochen fallen.")
    return "\n".join(["Startseite", "Anmelden", first, PROMO, second, "Teilen"])


def test_update_counts_each_line_once_per_article_and_is_pure() -> None:
    one = profiles.update(None, ["Menu", "Menu", "Body line"])
    two = profiles.update(one, ["Menu", "Other line"])
    assert one["articles"] == 1
    assert two["articles"] == 2
    assert one["lines"][profiles.fingerprint("Menu")] == [1, 1]
    assert two["lines"][profiles.fingerprint("Menu")] == [2, 1]
    assert two["lines"][profiles.fingerprint("Other line")] == [1, 2]
    assert one["lines"][profiles.fingerprint("Menu")] == [1, 1]  # the input profile is untouched


def test_fingerprint_ignores_case_spacing_and_numbers() -> None:
    assert profiles.fingerprint("Es gibt  3 neue Nachrichten") == profiles.fingerprint("es gibt 12 neue nachrichten")
    assert profiles.fingerprint("Login") != profiles.fingerprint("Logout")


def test_profile_is_bounded_and_keeps_frequent_lines() -> None:
    profile = None
    for n in range(50):
        profile = profiles.update(profile, ["Menu", "Newsletter", f"unique line {n} " + "x" * n], max_lines=10)
    assert profile is not None
    assert len(profile["lines"]) == 10
    assert profile["lines"][profiles.fingerprint("Menu")][0] == 50


def test_profile_survives_json_and_rejects_garbage() -> None:
    profile = profiles.update(profiles.update(None, ["a"]), ["a"])
    assert orjson.loads(orjson.dumps(profile)) == profile
    assert profiles.known_lines({"v": 99, "lines": "?"}, ["a"]) == frozenset()
    assert profiles.update({"nonsense": True}, ["a"])["articles"] == 1


def test_known_lines_need_enough_articles_and_share() -> None:
    profile = None
    for story in ("story one", "story two"):
        profile = profiles.update(profile, ["Menu", story])
    assert profiles.known_lines(profile, ["Menu"], min_articles=3) == frozenset()
    profile = profiles.update(profile, ["Menu", "story three"])
    assert profiles.known_lines(profile, ["Menu", "story three"], min_articles=3) == frozenset({0})
    for n in range(4, 13):  # "rare" is in 3 of the 7 articles since it first showed up: share 0.43
        profile = profiles.update(profile, ["Menu", "rare"] if n % 3 == 0 else ["Menu"])
    assert profiles.known_lines(profile, ["rare"], min_articles=3, min_share=0.5) == frozenset()
    assert profiles.known_lines(profile, ["rare"], min_articles=3, min_share=0.3) == frozenset({0})


def test_long_prose_is_never_dropped_by_the_profile() -> None:
    story = " ".join(["Der Rat hat heute beschlossen, dass die Straße ausgebaut wird."] * 5)
    profile = None
    for _ in range(5):
        profile = profiles.update(profile, [story])
    assert profiles.known_lines(profile, [story]) == frozenset()


def test_profile_never_empties_an_article() -> None:
    text = "\n".join(["Startseite", _article(0).splitlines()[2], "Teilen"])
    profile = None
    for _ in range(4):
        profile = profiles.update(profile, plaintext.split_lines(text))
    article = extract.run(orjson.dumps({"id": "x", "text": text}), extract.ExtractConfig(), profile)
    assert article.text == _article(0).splitlines()[2]


def test_first_article_of_a_new_source_is_cleaned_from_its_own_features() -> None:
    article = extract.run(orjson.dumps({"id": "1", "text": _article(1)}), extract.ExtractConfig(), None)
    assert "Startseite" not in article.text
    assert "Teilen" not in article.text
    assert PROMO in article.text  # a sentence-like promo line cannot be told from prose on first sight


def test_profile_drops_a_line_seen_in_many_articles_of_the_source() -> None:
    profile = None
    for n in range(3):
        profile = profiles.update(profile, plaintext.split_lines(_article(n)))
    article = extract.run(orjson.dumps({"id": "4", "text": _article(4)}), extract.ExtractConfig(), profile)
    assert PROMO not in article.text
    assert article.text.split("\n\n")[0].startswith("In Bremen hat das Gericht")
    assert article.text.split("\n\n")[1].startswith("Die Stadt Bremen will nun prüfen")
    assert article.metadata["profile_dropped"] >= 1


def test_agent_helpers_key_and_learn_from_record_bytes() -> None:
    cfg = extract.ExtractConfig(profile_max_lines=50)
    record = orjson.dumps({"id": "1", "text": _article(0), "source": "Example.org"})
    assert extract.source_key(record) == "example.org"
    assert extract.source_key(orjson.dumps({"id": "2", "text": "x", "url": "https://www.example.org/a"})) \
        == "example.org"
    assert extract.source_key(orjson.dumps({"id": "3", "html": "<p>x</p>", "source": "s"})) is None
    assert extract.source_key(b"\xff not json") is None
    profile = extract.learn(record, None, cfg)
    assert profile is not None
    assert profile["articles"] == 1
    assert profiles.fingerprint("Startseite") in profile["lines"]
    assert extract.learn(orjson.dumps({"id": "3", "html": "<p>x</p>"}), profile, cfg) is None
