"""What every command shares: settings read once from the environment, the broker they need."""

from __future__ import annotations

import click

from workers.cli.errors import SETTINGS_KEY, ConfigError, UnknownStage
from workers.kafka import wait_for_broker
from workers.settings import Settings, parse_stages


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with the command's options on top; kept in the click context
    so that the error boundary can name the broker and the log level."""
    settings = Settings()
    if isinstance(overrides.get("stages"), str):
        try:
            parse_stages(str(overrides["stages"]))
        except ValueError as exc:
            raise UnknownStage(f"--stages {overrides['stages']!r}: {exc}") from exc
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[SETTINGS_KEY] = settings
    return settings


def require_cluster(settings: Settings) -> str:
    if not settings.kafka_bootstrap_servers:
        raise ConfigError("KAFKA_BOOTSTRAP_SERVERS is not set: point it at your brokers (or use `news-ingest run`, "
                          "which starts a local one)")
    return settings.kafka_bootstrap_servers


async def reach_broker(settings: Settings) -> None:
    """The patient first connection of every command that talks to Kafka, saying once that it waits."""
    await wait_for_broker(settings, on_wait=lambda message: click.echo(message, err=True))
