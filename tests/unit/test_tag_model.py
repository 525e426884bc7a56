"""The shipped NER models: load offline, tag German and English, refuse other languages."""

from __future__ import annotations

import dataclasses
import fnmatch
import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.models import MODELS_DIR, model_path
from workers.records import Article
from workers.stages.tag import TagConfig, load_pipeline, run

CFG = TagConfig()


class _NoNetwork(socket.socket):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any socket the model loader might open fails; the cached pipelines are dropped first."""
    load_pipeline.cache_clear()
    monkeypatch.setattr(socket, "socket", _NoNetwork)
    monkeypatch.setattr(socket, "create_connection", _NoNetwork)
    yield
    load_pipeline.cache_clear()


def _article(text: str, lang: str, title: str | None = None) -> Article:
    return Article(id="t", text=text, title=title, language={"code": lang, "confidence": 0.99})


def test_models_ship_inside_the_package() -> None:
    for lang in ("de", "en"):
        path = model_path(lang)
        assert path is not None
        assert path.is_relative_to(MODELS_DIR)
    assert model_path("fr") is None


def test_package_data_covers_every_model_file() -> None:
    """The wheel (and so the image, which pip-installs the package) carries each model file."""
    repo = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "workers.models"]
    models = repo / "workers" / "models"
    files = [p.relative_to(models).as_posix() for p in models.glob("ner-*/**/*") if p.is_file()]
    assert len(files) >= 10
    assert [f for f in files if not any(fnmatch.fnmatchcase(f, pat) and f.count("/") == pat.count("/")
                                        for pat in patterns)] == []


def test_german_model_loads_with_network_disabled(no_network: None) -> None:
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("example.org", 80))
    text = "Bundeskanzler Friedrich Merz traf am Montag in Berlin den Chef der Siemens AG."
    out = run(_article(text, "de"), CFG)
    assert out.entities_status == "ok"
    found = {(e["text"], e["label"]) for e in out.entities}
    assert ("Friedrich Merz", "PER") in found
    assert ("Berlin", "LOC") in found
    for e in out.entities:
        assert text[e["start"]:e["end"]] == e["text"]


def test_english_model_loads_with_network_disabled(no_network: None) -> None:
    text = "President Joe Biden met Volodymyr Zelensky in Washington on Tuesday."
    out = run(_article(text, "en"), CFG)
    found = {(e["text"], e["label"], e["canonical"]) for e in out.entities}
    assert ("Joe Biden", "PER", "Joe Biden") in found
    assert ("Volodymyr Zelensky", "PER", "Volodymyr Zelenskyy") in found
    assert ("Washington", "LOC", "Washington") in found


@pytest.mark.parametrize("lang", ["fr", "und", "pl"])
def test_other_languages_get_no_entities(lang: str) -> None:
    out = run(_article("Emmanuel Macron a rencontré Olaf Scholz à Paris.", lang), CFG)
    assert out.entities == []
    assert out.entity_summary == []
    assert out.entities_status == f"unsupported_language:{lang}"


def test_title_counts_for_salience_but_entities_index_text() -> None:
    text = "Die Regierung in Wien beriet am Dienstag.\n\nSpäter sprach Angela Merkel in Hamburg."
    out = run(_article(text, "de", title="Angela Merkel besucht Hamburg"), CFG)
    assert all(text[e["start"]:e["end"]] == e["text"] for e in out.entities)
    merkel = next(e for e in out.entity_summary if e["canonical"] == "Angela Merkel")
    assert {m["field"] for m in merkel["mentions"]} == {"title", "text"}
    assert merkel["count"] == 2


def test_dateline_place_and_agency_reach_the_summary() -> None:
    article = _article("Der Gipfel beginnt am Montag.", "de")
    article = dataclasses.replace(article, dateline={"place": "WASHINGTON", "agency": "dpa-AFX"})
    summary = {(e["canonical"], e["label"]) for e in run(article, CFG).entity_summary}
    assert {("Washington", "LOC"), ("dpa-AFX", "ORG")} <= summary


def test_overlong_text_is_tagged_on_its_head_without_splitting_words() -> None:
    text = "Angela Merkel sprach in Berlin. " * 10
    out = run(_article(text, "de"), TagConfig(max_chars=40))
    assert out.entities_status == "ok_truncated"
    assert {"Angela Merkel", "Berlin"} <= {e["text"] for e in out.entities}
    assert all(e["end"] <= 40 and not text[e["end"]].isalpha() for e in out.entities)
