"""Settings: read from the environment once, documented in the README, validated on load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from workers.settings import Settings
from workers.stages.extract import ExtractConfig

README = Path(__file__).resolve().parents[2] / "README.md"


def env_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        names.add(str(choices[0]) if choices else f"NEWS_INGEST_{name.upper()}")
    return names


def test_readme_configuration_table_lists_exactly_the_settings() -> None:
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", section, flags=re.MULTILINE))
    assert documented == env_names()


def test_environment_is_read_with_prefix_and_kafka_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "b1:9092,b2:9092")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    monkeypatch.setenv("NEWS_INGEST_TOPIC_PARTITIONS", "12")
    monkeypatch.setenv("NEWS_INGEST_STAGES", "extract,normalize")
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "b1:9092,b2:9092"
    assert settings.topic_partitions == 12
    assert settings.stage_names() == ("extract", "normalize")
    assert "s3cret" not in repr(settings)


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_PROCESSING_GUARANTEE", "best_effort")
    with pytest.raises(ValueError, match="processing_guarantee"):
        Settings()
    monkeypatch.setenv("NEWS_INGEST_PROCESSING_GUARANTEE", "exactly_once")
    with pytest.raises(ValueError, match="exactly_once is not offered"):
        Settings()


def test_unknown_stage_is_refused_when_settings_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_STAGES", "extract,translate")
    with pytest.raises(ValidationError, match=r"unknown stage\(s\) \['translate'\]; "
                                              r"choose from \('extract', 'normalize', 'tag', 'dedup'\)"):
        Settings()
    monkeypatch.setenv("NEWS_INGEST_STAGES", " tag , dedup ")
    assert Settings().stage_names() == ("tag", "dedup")
    # CLI overrides are applied with model_copy, which skips validators: stage_names checks again
    with pytest.raises(ValueError, match="translate"):
        Settings().model_copy(update={"stages": "translate"}).stage_names()


def test_the_input_size_limit_has_one_default() -> None:
    assert Settings().max_input_bytes == 8 * 1024 * 1024
    assert Settings().extract_config().max_input_bytes == Settings().max_input_bytes
    assert ExtractConfig().max_input_bytes == Settings().max_input_bytes
