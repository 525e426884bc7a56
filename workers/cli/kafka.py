"""`news-ingest kafka`: fetch the broker jars, or run a local single-node broker in the foreground."""

from __future__ import annotations

import time

import click

from workers.cli.common import load_settings
from workers.devtools.localkafka import KafkaSetupError, LocalKafka, fetch_jars


@click.group()
def kafka() -> None:
    """A local Apache Kafka (KRaft) for development, from Maven Central; no Docker needed."""


@kafka.command()
def fetch() -> None:
    """Resolve the Kafka jars with Maven into the local cache."""
    try:
        click.echo(str(fetch_jars(load_settings().kafka_home)))
    except KafkaSetupError as exc:
        raise click.ClickException(str(exc)) from exc


@kafka.command()
def start() -> None:
    """Start a broker on a free loopback port and keep it up until interrupted."""
    try:
        broker = LocalKafka(home=load_settings().kafka_home).start()
    except KafkaSetupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        broker.close()
