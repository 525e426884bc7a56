"""The shipped NER models: both tiers load offline, tag German and English, refuse other languages;
a missing model is an infrastructure fault, never a dead letter."""

from __future__ import annotations

import dataclasses
import fnmatch
import shutil
import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.errors import StageError
from workers.models import MODEL_FILES, MODELS_DIR, TIERS, model_path
from workers.records import Article
from workers.stages.tag import ModelUnavailable, TagConfig, check_model, load_tagger, run

CFG = TagConfig()


class _NoNetwork(socket.socket):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any socket the model loader might open fails; the cached models are dropped first."""
    load_tagger.cache_clear()
    monkeypatch.setattr(socket, "socket", _NoNetwork)
    monkeypatch.setattr(socket, "create_connection", _NoNetwork)
    yield
    load_tagger.cache_clear()


def _article(text: str, lang: str, title: str | None = None) -> Article:
    return Article(id="t", text=text, title=title, language={"code": lang, "confidence": 0.99})


SHIPPED = TIERS


def _folders(tier: str, base: Path | None = None) -> list[Path]:
    """A tier's model folders: one for the encoder, one per language for the CNNs."""
    path = model_path(tier, base)
    return [path / code for code in CFG.languages] if tier == "fast" else [path]


def test_both_tiers_ship_inside_the_package() -> None:
    for tier in SHIPPED:
        for folder in _folders(tier):
            assert folder.is_relative_to(MODELS_DIR)
            assert [name for name in MODEL_FILES[tier] if not (folder / name).is_file()] == []
    with pytest.raises(ValueError, match="unknown NER model"):
        model_path("huge")


def test_package_data_covers_every_model_file() -> None:
    """The wheel (and so the image, which pip-installs the package) carries each model file."""
    repo = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "workers.models"]
    models = repo / "workers" / "models"
    files = [p.relative_to(models).as_posix() for p in models.glob("ner-*/**/*") if p.is_file()]
    assert len(files) >= sum(len(MODEL_FILES[tier]) * len(_folders(tier)) for tier in SHIPPED)
    assert [f for f in files if not any(fnmatch.fnmatchcase(f, pat) and f.count("/") == pat.count("/")
                                        for pat in patterns)] == []


def test_the_ner_files_stay_small() -> None:
    """Both tiers together within the 60 MB the image and the wheel budget for NER."""
    size = sum(p.stat().st_size for tier in SHIPPED for p in model_path(tier).rglob("*") if p.is_file())
    assert size <= 60 * 1024 * 1024


@pytest.mark.parametrize("tier", SHIPPED)
def test_each_tier_loads_and_tags_with_network_disabled(no_network: None, tier: str) -> None:
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("example.org", 80))
    cfg = TagConfig(model=tier)
    text = "Bundeskanzler Friedrich Merz traf am Montag in Berlin den Chef der Siemens AG."
    out = run(_article(text, "de"), cfg)
    assert out.entities_status == "ok"
    found = {(e["text"], e["label"]) for e in out.entities}
    assert ("Friedrich Merz", "PER") in found
    assert ("Berlin", "LOC") in found
    for e in out.entities:
        assert text[e["start"]:e["end"]] == e["text"]
    english = run(_article("President Joe Biden met Volodymyr Zelensky in Washington on Tuesday.", "en"), cfg)
    found_en = {(e["text"], e["label"], e["canonical"]) for e in english.entities}
    assert ("Joe Biden", "PER", "Joe Biden") in found_en
    assert ("Washington", "LOC", "Washington") in found_en


@pytest.mark.parametrize("tier", SHIPPED)
@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_broken_model_is_an_infrastructure_fault_not_a_bad_article(tmp_path: Path, tier: str, damage: str) -> None:
    for shipped in SHIPPED:  # the fast tier reads the accurate tier's tokenizer
        shutil.copytree(model_path(shipped), model_path(shipped, tmp_path))
    weights = _folders(tier, tmp_path)[-1] / ("model.onnx" if tier == "accurate" else "ner/model")
    if damage == "missing":
        weights.unlink()
    else:
        weights.write_bytes(b"not a model")
    cfg = TagConfig(model=tier, model_dir=str(tmp_path))
    load_tagger.cache_clear()
    with pytest.raises(ModelUnavailable, match=r"lacks .*model|cannot be loaded") as caught:
        check_model(cfg)
    assert not isinstance(caught.value, StageError)
    with pytest.raises(ModelUnavailable):
        run(_article("President Joe Biden spoke in Washington.", "en"), cfg)
    load_tagger.cache_clear()


def test_the_fast_tier_without_the_piece_tokenizer_is_an_infrastructure_fault(tmp_path: Path) -> None:
    shutil.copytree(model_path("fast"), model_path("fast", tmp_path))
    load_tagger.cache_clear()
    with pytest.raises(ModelUnavailable, match="needs the piece tokenizer"):
        check_model(TagConfig(model="fast", model_dir=str(tmp_path)))
    load_tagger.cache_clear()


def test_without_the_normalize_stage_the_language_hint_is_used() -> None:
    article = Article(id="t", text="Angela Merkel sprach am Montag in Hamburg.", hints={"language": "de-AT"})
    out = run(article, CFG)
    assert out.entities_status == "ok"
    assert ("Angela Merkel", "PER") in {(e["text"], e["label"]) for e in out.entities}
    assert run(Article(id="t", text="Angela Merkel sprach.", hints={}), CFG).entities_status == \
        "unsupported_language:und"


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
