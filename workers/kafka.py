"""Connection options for every Kafka client we build (CLI producers/consumers, admin, Faust)."""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

import faust
from aiokafka.conn import collect_hosts, create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    IllegalSaslStateError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from aiokafka.protocol.metadata import MetadataRequest

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
        except Exception:  # a malformed record is logging's problem, not ours  # noqa: BLE001
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


# Waiting does not fix these: a wrong password or an untrusted certificate fails at once.
REFUSED = (ssl.SSLError, SaslAuthenticationFailed, AuthenticationFailedError, UnsupportedSaslMechanismError,
           IllegalSaslStateError)


async def wait_for_broker(settings: Settings, *, on_wait: Callable[[str], None] | None = None) -> None:
    """Return once a bootstrap server answers a metadata request, retrying with backoff.

    Why: in compose or Kubernetes the broker is often still starting when a worker or a producer
    starts; they wait up to `connect_timeout_seconds`, calling `on_wait` once with what they wait
    for. Past that, `KafkaConnectionError` (chained to the last failure); authentication and TLS
    failures (`REFUSED`) raise at once. The probe connection is always closed.
    """
    options = aiokafka_options(settings)
    servers = options.pop("bootstrap_servers")
    deadline = time.monotonic() + settings.connect_timeout_seconds
    delay = 0.25
    while True:
        remaining = deadline - time.monotonic()
        try:
            await _first_contact(servers, options, timeout=min(max(remaining, 1.0), 10.0))
        except REFUSED:
            raise
        except (OSError, KafkaError, TimeoutError) as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KafkaConnectionError(_reason(exc)) from exc
            if on_wait is not None:
                on_wait(f"waiting for the Kafka broker at {servers} (KAFKA_BOOTSTRAP_SERVERS) to answer, up to "
                        f"{settings.connect_timeout_seconds:g} s (NEWS_INGEST_CONNECT_TIMEOUT_SECONDS) ...")
                on_wait = None
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, 5.0)
        else:
            return


async def _first_contact(servers: str, options: dict[str, Any], *, timeout: float) -> None:
    """Connect to each bootstrap server in turn until one answers a metadata request."""
    last: Exception = KafkaConnectionError(f"no bootstrap server in {servers!r}")
    for host, port, _ in collect_hosts(servers, randomize=False):
        try:
            conn = await create_conn(host, port, request_timeout_ms=int(timeout * 1000), **options)
        except REFUSED:
            raise
        except (OSError, KafkaError, TimeoutError) as exc:
            last = exc
            continue
        try:
            await conn.send(MetadataRequest([]))
        except (KafkaError, TimeoutError) as exc:
            last = exc
        else:
            return
        finally:
            conn.close()
    raise last


def _reason(exc: BaseException) -> str:
    """`connection refused` rather than `[Errno 111] Connect call failed ('127.0.0.1', 1)`."""
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    if isinstance(exc, KafkaError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


class _Client(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Client)


@asynccontextmanager
async def started(client: ClientT) -> AsyncIterator[ClientT]:
    """Start an aiokafka producer or consumer and always stop it, also when starting failed."""
    try:
        await client.start()
        yield client
    finally:
        await _stop(client)


async def _stop(client: _Client) -> None:
    """aiokafka's stop awaits fetch tasks it has just cancelled and can re-raise their CancelledError
    when a broker went away mid-fetch (aio-libs/aiokafka#647). That one means the client is stopped;
    a cancel aimed at our own task still propagates."""
    try:
        await client.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
