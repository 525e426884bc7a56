"""Settings: read from the environment once, documented in the README, validated on load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workers.settings import Settings

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
    monkeypatch.delenv("NEWS_INGEST_PROCESSING_GUARANTEE")
    monkeypatch.setenv("NEWS_INGEST_STAGES", "extract,translate")
    with pytest.raises(ValueError, match="translate"):
        Settings().stage_names()
