"""What every command shares: settings read once from the environment."""

from __future__ import annotations

import click

from workers.settings import Settings


def load_settings(**overrides: object) -> Settings:
    try:
        settings = Settings()
    except ValueError as exc:
        raise click.ClickException(f"invalid configuration: {exc}") from exc
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def require_cluster(settings: Settings) -> str:
    if not settings.kafka_bootstrap_servers:
        raise click.ClickException("set KAFKA_BOOTSTRAP_SERVERS (or use `news-ingest run`, which starts "
                                   "a local broker)")
    return settings.kafka_bootstrap_servers
