"""SASL_SSL end to end on paper: the production overlay's env -> `Settings` -> aiokafka and Faust options."""

from __future__ import annotations

import ssl
from typing import Any

import certifi
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from tests.unit.deploy_support import ROOT, load_yaml
from tests.unit.test_deploy_kubernetes import by_kind, rendered
from workers.kafka import aiokafka_options, faust_credentials
from workers.settings import Settings


def pod_environment(resources: tuple[dict[str, Any], ...], secret: dict[str, Any]) -> dict[str, str]:
    """The environment the worker container gets: its ConfigMap (envFrom) plus secretKeyRef values."""
    config = by_kind(resources, "ConfigMap")
    [container] = by_kind(resources, "Deployment")["spec"]["template"]["spec"]["containers"]
    env: dict[str, str] = {}
    for source in container["envFrom"]:
        assert source["configMapRef"]["name"] == config["metadata"]["name"]
        env.update(config["data"])
    for entry in container.get("env", []):
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["name"] == secret["metadata"]["name"]
        env[entry["name"]] = secret["stringData"][ref["key"]]
    return env


def test_production_overlay_settings_reach_both_kafka_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = load_yaml(ROOT / "deploy" / "kubernetes" / "examples" / "kafka-credentials.yaml")
    env = pod_environment(rendered("overlays/production"), secret)
    env["KAFKA_SSL_CAFILE"] = certifi.where()  # a real CA bundle in place of the mounted secret file
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    client = aiokafka_options(settings)
    assert client["security_protocol"] == "SASL_SSL"
    assert client["sasl_mechanism"] == "SCRAM-SHA-512"
    assert client["sasl_plain_username"] == secret["stringData"]["sasl-username"]
    assert client["sasl_plain_password"] == secret["stringData"]["sasl-password"]
    assert isinstance(client["ssl_context"], ssl.SSLContext)
    assert client["ssl_context"].verify_mode == ssl.CERT_REQUIRED

    faust_side = credentials_to_aiokafka_auth(faust_credentials(settings))
    assert faust_side["security_protocol"] == "SASL_SSL"
    assert faust_side["sasl_mechanism"] == "SCRAM-SHA-512"
    assert faust_side["sasl_plain_username"] == client["sasl_plain_username"]
    assert faust_side["sasl_plain_password"] == client["sasl_plain_password"]
    assert isinstance(faust_side["ssl_context"], ssl.SSLContext)


def test_plaintext_base_needs_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    config = by_kind(rendered("base"), "ConfigMap")["data"]
    for name, value in config.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert aiokafka_options(settings)["security_protocol"] == "PLAINTEXT"
    assert "ssl_context" not in aiokafka_options(settings)
    assert credentials_to_aiokafka_auth(faust_credentials(settings)) == {"security_protocol": "PLAINTEXT"}
