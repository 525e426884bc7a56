"""Kafka SASL and TLS wired through end to end, on real brokers with a SASL_PLAINTEXT/PLAIN listener
and a SASL_SSL/PLAIN one (a throwaway CA signs the broker's certificate).

A worker that authenticates enriches a record through that listener (topic creation, Faust's
consumer, producer and table changelog all use it), and its whole log never shows the password;
a wrong password fails loudly instead of quietly doing nothing; a client that does not trust the
broker's certificate gets nothing through.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator

import orjson
import pytest
from aiokafka.errors import KafkaConnectionError
from pydantic import SecretStr

from tests.support.kafka import collect, produce, run
from tests.support.tls import TlsFiles, make_tls_files
from tests.support.workers import settings_env
from workers.devtools.localkafka import LocalKafka
from workers.settings import Settings

pytestmark = pytest.mark.e2e

USER = "ingest"
PASSWORD = "s3cr3t-Kafka-pw-7f1c9e"  # noqa: S105  (a test broker's; distinctive, so a leak is found)


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    with LocalKafka(workdir=tmp_path_factory.mktemp("sasl-broker"), sasl_users={USER: PASSWORD},
                    home=Settings().kafka_home) as broker:
        yield broker


def sasl_settings(settings: Settings, broker: LocalKafka, password: str) -> Settings:
    return settings.model_copy(update={
        "kafka_bootstrap_servers": broker.sasl_bootstrap_servers, "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_mechanism": "PLAIN", "kafka_sasl_username": USER, "kafka_sasl_password": SecretStr(password)})


def test_a_worker_authenticates_with_sasl_plain_and_never_logs_the_password(
        pipeline_settings: Settings, sasl_broker: LocalKafka, start_worker) -> None:
    settings = sasl_settings(pipeline_settings, sasl_broker, PASSWORD).model_copy(update={"log_level": "debug"})
    worker = start_worker(settings=settings)
    text = "The harbour authority opened the new container terminal on Monday after three years of work. " * 5
    run(produce(settings, [orjson.dumps({"id": "over-sasl", "text": text, "language": "en"})]))

    enriched = run(collect(settings, settings.topic_enriched, count=1, timeout=180))

    assert [e["id"] for e in enriched] == ["over-sasl"], worker.log()[-3000:]
    assert "harbour authority" in enriched[0]["text"]
    log = worker.log()
    assert "SASL" in log or "sasl" in log, "the debug log should show the SASL handshake happened"
    assert PASSWORD not in log, "the SASL password appears in the worker's log"


def test_a_wrong_password_fails_to_connect_instead_of_silently_working(
        pipeline_settings: Settings, sasl_broker: LocalKafka, start_worker) -> None:
    settings = sasl_settings(pipeline_settings, sasl_broker, "not-the-password")
    worker = start_worker(settings=settings, name="wrong-password")
    deadline = time.monotonic() + 90
    while worker.alive and time.monotonic() < deadline:
        time.sleep(0.5)
    log = worker.log()
    assert not worker.alive, f"a worker with a wrong password kept running:\n{log[-3000:]}"
    assert worker.process is not None
    assert worker.process.returncode != 0
    assert "Authentication failed" in log or "SaslAuthenticationFailed" in log, log[-3000:]
    assert "not-the-password" not in log
    worker.stopped = True  # it was meant to exit: not a crash for the fixture to report


def test_the_sasl_listener_refuses_clients_without_credentials(pipeline_settings: Settings,
                                                               sasl_broker: LocalKafka) -> None:
    """The listener really requires SASL: a PLAINTEXT client gets nothing through it."""
    plain = pipeline_settings.model_copy(update={"kafka_bootstrap_servers": sasl_broker.sasl_bootstrap_servers})
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        run(asyncio.wait_for(produce(plain, [orjson.dumps({"id": "nope", "text": "x"})]), 30))


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalKafka, TlsFiles]]:
    files = make_tls_files(tmp_path_factory.mktemp("tls"))
    with LocalKafka(workdir=tmp_path_factory.mktemp("tls-broker"), sasl_users={USER: PASSWORD},
                    tls_keystore=files.keystore, home=Settings().kafka_home) as broker:
        yield broker, files


def test_a_worker_runs_over_sasl_ssl_trusting_the_brokers_ca(pipeline_settings: Settings, tls_broker,
                                                             start_worker) -> None:
    broker, files = tls_broker
    settings = sasl_settings(pipeline_settings, broker, PASSWORD).model_copy(update={
        "kafka_security_protocol": "SASL_SSL", "kafka_ssl_cafile": str(files.ca_cert)})
    worker = start_worker(settings=settings)
    text = "The port authority signed the new shipping contract on Tuesday after a year of talks. " * 5
    run(produce(settings, [orjson.dumps({"id": "over-tls", "text": text, "language": "en"})]))

    enriched = run(collect(settings, settings.topic_enriched, count=1, timeout=180))

    assert [e["id"] for e in enriched] == ["over-tls"], worker.log()[-3000:]
    assert PASSWORD not in worker.log()


def test_a_client_that_does_not_trust_the_brokers_certificate_cannot_connect(pipeline_settings: Settings,
                                                                             tls_broker) -> None:
    broker, _files = tls_broker
    untrusting = sasl_settings(pipeline_settings, broker, PASSWORD).model_copy(update={
        "kafka_security_protocol": "SASL_SSL", "kafka_ssl_cafile": None})  # system CAs only
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        run(asyncio.wait_for(produce(untrusting, [orjson.dumps({"id": "nope", "text": "x"})]), 30))


def failed_command(settings: Settings, *args: str) -> tuple[int, str]:
    """Run a CLI command as a user would; its exit code and stderr."""
    result = subprocess.run([sys.executable, "-m", "workers", *args], env=settings_env(settings),
                            capture_output=True, timeout=120, check=False)
    return result.returncode, result.stderr.decode()


def test_the_cli_names_a_refused_password_in_one_line_and_exits_9(pipeline_settings: Settings,
                                                                   sasl_broker: LocalKafka) -> None:
    settings = sasl_settings(pipeline_settings, sasl_broker, "not-the-password")
    for command in (["tail"], ["replay", "--dry-run"]):
        code, stderr = failed_command(settings, *command)
        assert code == 9, stderr
        # aiokafka's own warning about PLAIN over SASL_PLAINTEXT may come first; the failure is the one line
        assert stderr.strip().splitlines()[-1] == (
            f"Error: the Kafka broker at {sasl_broker.sasl_bootstrap_servers} refused to authenticate '{USER}' "
            "with PLAIN: Authentication failed: Invalid username or password; check KAFKA_SASL_USERNAME, "
            "KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM")
        assert stderr.count("Error: ") == 1
        assert "Traceback" not in stderr
        assert "Unclosed" not in stderr
        assert "not-the-password" not in stderr


def test_the_cli_names_an_untrusted_certificate_in_one_line_and_exits_9(pipeline_settings: Settings,
                                                                         tls_broker) -> None:
    broker, _files = tls_broker
    untrusting = sasl_settings(pipeline_settings, broker, PASSWORD).model_copy(update={
        "kafka_security_protocol": "SASL_SSL", "kafka_ssl_cafile": None})
    code, stderr = failed_command(untrusting, "tail")
    assert code == 9, stderr
    assert stderr.strip() == (f"Error: TLS with the Kafka broker at {broker.sasl_bootstrap_servers} failed: "
                              "self-signed certificate in certificate chain; check KAFKA_SECURITY_PROTOCOL and "
                              "KAFKA_SSL_CAFILE (KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE for mutual TLS)"), stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr
