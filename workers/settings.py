"""One frozen settings object, read from the environment once by the CLI and handed down.

Every field is documented in the README's configuration table (a unit test keeps them equal).
Stages never import this module: they receive the small config slices built by the methods below.
Those methods import the stage packages when called, not at import time, so that a process which
only needs a value (the container health probe: the web port) does not pay for loading the stages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workers.records import MAX_INPUT_BYTES

if TYPE_CHECKING:
    from workers.stages.dedup import DedupConfig
    from workers.stages.extract import ExtractConfig
    from workers.stages.normalize import NormalizeConfig
    from workers.stages.tag import TagConfig

ALL_STAGES = ("extract", "normalize", "tag", "dedup")


def parse_stages(value: str) -> tuple[str, ...]:
    """`extract,normalize` -> ("extract", "normalize"); an unknown name is an error naming the valid ones."""
    names = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in names if s not in ALL_STAGES]
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; choose from {ALL_STAGES}")
    return names


def _kafka(name: str) -> AliasChoices:
    """Kafka connection settings use the conventional KAFKA_* names, without our prefix."""
    return AliasChoices(f"KAFKA_{name}", f"NEWS_INGEST_KAFKA_{name}")


class Settings(BaseSettings):
    """Runtime configuration. Env var = `NEWS_INGEST_` + field name upper-cased, unless noted."""

    model_config = SettingsConfigDict(env_prefix="NEWS_INGEST_", frozen=True, extra="ignore")

    # --- Kafka connection (env: KAFKA_*) ---------------------------------------------------------
    kafka_bootstrap_servers: str | None = Field(None, validation_alias=_kafka("BOOTSTRAP_SERVERS"))
    kafka_security_protocol: str = Field("PLAINTEXT", validation_alias=_kafka("SECURITY_PROTOCOL"))
    kafka_sasl_mechanism: str | None = Field(None, validation_alias=_kafka("SASL_MECHANISM"))
    kafka_sasl_username: str | None = Field(None, validation_alias=_kafka("SASL_USERNAME"))
    kafka_sasl_password: SecretStr | None = Field(None, validation_alias=_kafka("SASL_PASSWORD"))
    kafka_ssl_cafile: str | None = Field(None, validation_alias=_kafka("SSL_CAFILE"))
    kafka_ssl_certfile: str | None = Field(None, validation_alias=_kafka("SSL_CERTFILE"))
    kafka_ssl_keyfile: str | None = Field(None, validation_alias=_kafka("SSL_KEYFILE"))

    # --- Application ---------------------------------------------------------------------------
    app_id: str = "news-ingest"
    stages: str = ",".join(ALL_STAGES)
    data_dir: Path = Path(".news-ingest")
    topic_raw: str = "articles.raw"
    topic_extracted: str = "articles.extracted"
    topic_normalized: str = "articles.normalized"
    topic_tagged: str = "articles.tagged"
    topic_enriched: str = "articles.enriched"
    topic_deadletter: str = "articles.deadletter"
    topic_partitions: int = Field(4, ge=1)
    topic_replication: int = Field(1, ge=1)
    topic_retention_hours: float = Field(168.0, gt=0, description="retention.ms of new pipeline topics")
    topic_deadletter_retention_hours: float = Field(720.0, gt=0, description="dead letters wait to be replayed")
    processing_guarantee: str = Field("at_least_once", description="at_least_once, the only guarantee offered: "
                                      "exactly_once lost records under SIGKILL (docs/guarantees.md)")
    input_transactional: bool = Field(False, description="producers of the raw topic use Kafka transactions")
    commit_interval_seconds: float = Field(2.8, gt=0, description="how often processed offsets are committed; "
                                           "what a rebalance or crash re-delivers is up to this much work")
    session_timeout_seconds: float = Field(60.0, ge=6, description="how long the group waits for a silent "
                                           "member (a killed worker) before its partitions move")
    connect_timeout_seconds: float = Field(60.0, ge=0, description="how long commands retry the first "
                                           "connection to the broker (it may still be starting) before giving up")
    web_port: int = 6066
    web_host: str = "0.0.0.0"  # noqa: S104  (a container must be reachable by its probes)
    log_level: str = "info"
    log_format: str = Field("text", pattern="^(json|text)$", description="json: one JSON object per log line")

    # --- Stage execution -----------------------------------------------------------------------
    pool_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    pool_max_tasks: int = Field(500, ge=0, description="recycle a pool process after N documents")
    pool_memory_mb: int = Field(2048, ge=0, description="address-space cap per pool process; 0 = none")
    # a limit for pathological records, not for long articles: the tag stage's work grows with the text, and
    # on a slow AVX2-only CPU (0.8 seed-sized articles per CPU second, 2026-12-04) the longest real dev
    # pages took over 20 s to tag and were dead-lettered as `timeout` (tests/corpus, 3 of 120 records)
    stage_timeout_seconds: float = Field(60.0, gt=0)
    max_input_bytes: int = Field(MAX_INPUT_BYTES, gt=0)
    deadletter_limit_share: float = Field(0.5, gt=0, le=1, description="the worker stops when more than this "
                                          "share of a stage's last `deadletter_limit_window` records were "
                                          "dead-lettered (workers/runtime/dlq_guard.py); 1.0 = never")
    deadletter_limit_window: int = Field(1000, ge=0, description="records per stage the dead-letter share is "
                                         "taken over, checked once that many came through; 0 = no guard")

    # --- Stage behaviour -----------------------------------------------------------------------
    extract_favor_precision: bool = False
    language_min_confidence: float = Field(0.5, ge=0, le=1, description="below: text is inconclusive")
    language_min_margin: float = Field(0.2, ge=0, le=1, description="top-1 minus top-2 score; below: mixed")
    language_min_letters: int = Field(20, ge=0, description="fewer letters: too short to tell")
    language_min_share: float = Field(0.7, ge=0, le=1, description="share of letters in the top language; below: mixed")
    normalize_text_dates: bool = Field(True, description="resolve date mentions in the text into `dates`")
    extract_max_html_elements: int = Field(100_000, gt=0, description="refuse bigger HTML trees as too_large")
    extract_modified_date: bool = Field(True, description="last-modified day from the markup stamp, no 2nd date search")
    extract_profile_min_articles: int = Field(3, ge=1, description="boilerplate: seen in >= N articles")
    extract_profile_min_share: float = Field(0.5, gt=0, le=1, description="... and in >= this share of them")
    extract_profile_max_lines: int = Field(1000, ge=10, description="fingerprints kept per source profile")
    ner_model: str = Field("accurate", pattern="^(accurate|fast)$", description="entity tagger tier: accurate "
                           "(e5-small encoder) or fast (spaCy CNNs distilled from it); see docs/entities.md")
    ner_model_dir: Path | None = Field(None, description="a folder holding ner-<tier>/ model folders, to run "
                                       "retrained models without rebuilding; unset: the models in the package")
    dedup_retention_days: float = Field(7.0, gt=0)
    dedup_max_articles: int = Field(1_000_000, ge=1, description="size bound of the dedup index")
    dedup_min_containment: float = Field(0.5, gt=0, le=1, description="near verdict: shared shingles / shorter text")

    # --- Development tools ---------------------------------------------------------------------
    kafka_home: Path | None = Field(None, description="cache of the local broker's jars (`news-ingest kafka`, "
                                    "`run`, the tests); unset: ~/.cache/news-ingest/kafka-<version>")

    @field_validator("processing_guarantee")
    @classmethod
    def _only_guarantees_that_held(cls, value: str) -> str:
        """exactly_once was tried and dropped: with faust-streaming 0.15 it re-emitted and even lost records."""
        if value == "exactly_once":
            raise ValueError("processing_guarantee exactly_once is not offered: with faust-streaming 0.15 it lost "
                             "committed outcomes when a worker was killed (docs/guarantees.md); use at_least_once, "
                             "whose redeliveries carry the article id for idempotent consumers")
        if value != "at_least_once":
            raise ValueError(f"processing_guarantee {value!r} is unknown; the guarantee is at_least_once")
        return value

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, value: str) -> str:
        parse_stages(value)
        return value

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable of a field: its first alias (`KAFKA_*`), else `NEWS_INGEST_` + its name."""
        choices = getattr(cls.model_fields[field].validation_alias, "choices", None)
        return str(choices[0]) if choices else f"NEWS_INGEST_{field.upper()}"

    def stage_names(self) -> tuple[str, ...]:
        """The stages to run. Checked again here: `model_copy(update=...)` (CLI overrides) skips validators."""
        return parse_stages(self.stages)

    def extract_config(self) -> ExtractConfig:
        from workers.stages.extract import ExtractConfig  # noqa: PLC0415  (see the module docstring)

        return ExtractConfig(max_input_bytes=self.max_input_bytes,
                             favor_precision=self.extract_favor_precision,
                             max_html_elements=self.extract_max_html_elements,
                             modified_date=self.extract_modified_date,
                             profile_min_articles=self.extract_profile_min_articles,
                             profile_min_share=self.extract_profile_min_share,
                             profile_max_lines=self.extract_profile_max_lines)

    def normalize_config(self) -> NormalizeConfig:
        from workers.stages.normalize import NormalizeConfig  # noqa: PLC0415
        from workers.stages.normalize.language import LanguageConfig  # noqa: PLC0415

        return NormalizeConfig(language=LanguageConfig(min_confidence=self.language_min_confidence,
                                                       min_letters=self.language_min_letters,
                                                       min_margin=self.language_min_margin,
                                                       min_share=self.language_min_share),
                               find_text_dates=self.normalize_text_dates)

    def tag_config(self) -> TagConfig:
        from workers.stages.tag import TagConfig  # noqa: PLC0415

        return TagConfig(model=self.ner_model, model_dir=str(self.ner_model_dir) if self.ner_model_dir else None)

    def dedup_config(self) -> DedupConfig:
        from workers.stages.dedup import DedupConfig  # noqa: PLC0415

        return DedupConfig(retention_days=self.dedup_retention_days, max_articles=self.dedup_max_articles,
                           min_containment=self.dedup_min_containment)
