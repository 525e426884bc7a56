"""The one place where a failure becomes one line on stderr and an exit code (README: "Exit codes").

    CliError (click.ClickException)   1  anything else a command reports (the worker exited, no local broker)
    ├── ConfigError                   3  a setting is missing or has a bad value
    ├── UnknownStage                  4  a stage name that is not extract, normalize, tag or dedup
    ├── InputUnreadable               5  an input path is missing or cannot be read
    ├── UnsupportedInput              6  a file type no command reads
    ├── OutputUnwritable              7  the output file cannot be written
    ├── BrokerUnreachable             8  no broker answered within NEWS_INGEST_CONNECT_TIMEOUT_SECONDS
    └── BrokerRefused                 9  the broker refused the credentials, or TLS failed
    (click's usage errors, an unknown option or command, exit 2)

`CommandGroup` maps foreign exceptions at this boundary, as httpx maps transport errors in one
module: pydantic's `ValidationError` from `Settings`, aiokafka's connection and SASL errors and
`ssl.SSLError`; commands raise the classes above themselves where only they know the context
(which path is input, which is output). `NEWS_INGEST_LOG_LEVEL=debug` prints the traceback first.
"""

from __future__ import annotations

import os
import ssl
import traceback
from typing import Any

import click
from aiokafka.errors import KafkaConnectionError, KafkaError
from pydantic import ValidationError

from workers.devtools.localkafka import KafkaSetupError
from workers.errors import UnverifiedDependency
from workers.kafka import REFUSED
from workers.settings import Settings

SETTINGS_KEY = "news_ingest.settings"  # where `load_settings` leaves the settings in the click context


class CliError(click.ClickException):
    exit_code = 1


class ConfigError(CliError):
    exit_code = 3


class UnknownStage(CliError):
    exit_code = 4


class InputUnreadable(CliError):
    exit_code = 5


class UnsupportedInput(CliError):
    exit_code = 6


class OutputUnwritable(CliError):
    exit_code = 7


class BrokerUnreachable(CliError):
    exit_code = 8


class BrokerRefused(CliError):
    exit_code = 9


class CommandGroup(click.Group):
    """A click group whose commands fail with one line and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.UsageError):
            raise
        except Exception as exc:
            error = translate(exc, ctx.meta.get(SETTINGS_KEY))
            if error is None:
                raise
            if _debug(ctx.meta.get(SETTINGS_KEY)):
                traceback.print_exception(exc)
            raise error from exc


def translate(exc: BaseException, settings: Settings | None) -> CliError | None:
    """Our error for `exc`, or None for a bug (which keeps its traceback)."""
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, ValidationError):
        return settings_error(exc)
    if isinstance(exc, REFUSED):
        return _refused(exc, settings)
    if isinstance(exc, KafkaConnectionError):
        servers = settings.kafka_bootstrap_servers if settings else "?"
        waited = f" within {settings.connect_timeout_seconds:g} s" if settings else ""
        return BrokerUnreachable(f"cannot reach the Kafka broker at {servers} (KAFKA_BOOTSTRAP_SERVERS){waited}: "
                                 f"{_detail(exc)}; start it or fix the address (NEWS_INGEST_CONNECT_TIMEOUT_SECONDS "
                                 "sets how long to wait)")
    if isinstance(exc, KafkaSetupError):
        return CliError(f"cannot start a local Kafka broker: {exc}")
    if isinstance(exc, UnverifiedDependency):  # a deploy with other faust/aiokafka versions: say so, no traceback
        return CliError(str(exc))
    return None


def settings_error(exc: ValidationError) -> CliError:
    """One line for every bad setting, naming its environment variable; stages get their own class."""
    problems, stages = [], False
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = Settings.env_name(field) if field in Settings.model_fields else field
        shown = "" if "password" in field else f"={error['input']!r}"
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}{shown}: {message}")
        stages = stages or field == "stages"
    cls = UnknownStage if stages and len(problems) == 1 else ConfigError
    return cls("bad setting " + "; ".join(problems) + " (fix or unset it; see the README's configuration table)")


def _refused(exc: BaseException, settings: Settings | None) -> BrokerRefused:
    servers = settings.kafka_bootstrap_servers if settings else "?"
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "verify_message", None) or exc.reason or str(exc)
        return BrokerRefused(f"TLS with the Kafka broker at {servers} failed: {reason}; check KAFKA_SECURITY_PROTOCOL "
                             "and KAFKA_SSL_CAFILE (KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE for mutual TLS)")
    user = settings.kafka_sasl_username if settings else None
    mechanism = settings.kafka_sasl_mechanism if settings else None
    return BrokerRefused(f"the Kafka broker at {servers} refused to authenticate {user!r} with {mechanism}: "
                         f"{_detail(exc)}; check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM")


def _detail(exc: BaseException) -> str:
    """The message without aiokafka's class-name prefix."""
    if isinstance(exc, KafkaError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


def _debug(settings: Settings | None) -> bool:
    """Debug logging asked for; read from the environment only when the settings themselves failed to load."""
    level = settings.log_level if settings is not None else os.environ.get("NEWS_INGEST_LOG_LEVEL", "")
    return level.strip().lower() == "debug"
