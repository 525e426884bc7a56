"""Connection options for every Kafka client we build (CLI producers/consumers, admin, Faust)."""

from __future__ import annotations

import logging
import ssl
from typing import Any

import faust

from workers.settings import Settings

# Big pages are real (and so are 50 MB hostile ones): let them reach the stage that rejects them.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def bootstrap(settings: Settings) -> str:
    if not settings.kafka_bootstrap_servers:
        raise RuntimeError("KAFKA_BOOTSTRAP_SERVERS is not set (the `run` command starts a local broker)")
    return settings.kafka_bootstrap_servers


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if "SSL" not in settings.kafka_security_protocol.upper():
        return None
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_ssl_certfile:
        context.load_cert_chain(settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile)
    return context


_REDACTED: set[str] = set()


def _redact_in_logs(secret: str) -> None:
    """Mask `secret` in every log record from now on, whichever logger or handler emits it.

    Why: at debug level aiokafka logs each request it sends, and the PLAIN handshake request
    carries `\\x00user\\x00password`. A record factory sees every record before any handler,
    so it also covers Faust's logging setup and JSON logs. Installed once per secret, by the
    functions below that every Kafka client is built from.
    """
    if not secret or secret in _REDACTED:
        return
    _REDACTED.add(secret)
    forms = sorted({secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]}, key=len, reverse=True)
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return record
        if any(form in message for form in forms):
            for form in forms:
                message = message.replace(form, "***")
            record.msg, record.args = message, None
        return record

    logging.setLogRecordFactory(factory)


def _password(settings: Settings) -> str | None:
    if settings.kafka_sasl_password is None:
        return None
    secret = settings.kafka_sasl_password.get_secret_value()
    _redact_in_logs(secret)
    return secret


def aiokafka_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments shared by AIOKafkaProducer/Consumer/AdminClient."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap(settings),
        "security_protocol": settings.kafka_security_protocol.upper(),
    }
    context = _ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.kafka_sasl_mechanism:
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism.upper()
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = _password(settings)
    return options


def faust_credentials(settings: Settings) -> Any:
    """Faust's credentials object for the same security settings (None for PLAINTEXT)."""
    protocol = settings.kafka_security_protocol.upper()
    context = _ssl_context(settings)
    if settings.kafka_sasl_mechanism:
        return faust.SASLCredentials(username=settings.kafka_sasl_username or "", password=_password(settings) or "",
                                     mechanism=settings.kafka_sasl_mechanism.upper(), ssl_context=context)
    if protocol == "SSL" and context is not None:
        return faust.SSLCredentials(context)
    return None
