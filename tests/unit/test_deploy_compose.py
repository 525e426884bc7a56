"""docker-compose.yml and its override files against the Compose Specification schema (vendored by
check-jsonschema), offline; the local stack's own rules (host network, the second replica)."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.unit.deploy_support import ROOT, load_yaml, renamed, settings_env_names

COMPOSE = ROOT / "docker-compose.yml"
OVERRIDE = ROOT / "docker-compose.override.yml"  # loaded by `docker compose` without -f: the broker's host port
LOCAL = ROOT / "docker-compose.local.yml"  # images built here, host network (scripts/test-containers)


@cache
def compose_validator() -> Draft202012Validator:
    # Located without importing check_jsonschema (its CLI module is not needed, only the schema file).
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None, "check-jsonschema (test extra) is not installed"
    assert spec.origin is not None, "check-jsonschema (test extra) is not installed"
    path = Path(spec.origin).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in compose_validator().iter_errors(doc)]


def compose() -> dict[str, Any]:
    doc = load_yaml(COMPOSE)
    assert isinstance(doc, dict)
    return doc


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    assert errors(compose()) == []


@pytest.mark.parametrize(("path", "typo"), [
    (["services", "kafka", "healthcheck"], "healthchek"),
    (["services", "worker", "depends_on"], "depends-on"),
    (["services", "worker", "read_only"], "readonly"),
    (["services", "kafka", "healthcheck", "start_period"], "startPeriod"),
    (["services", "topics", "depends_on", "kafka", "condition"], "conditon"),
])
def test_a_renamed_key_is_rejected(path: list[str | int], typo: str) -> None:
    assert errors(renamed(compose(), path, typo)), f"{'/'.join(map(str, path))} -> {typo} was accepted"


def test_workers_scale_kafka_is_checked_and_topics_come_first() -> None:
    services = compose()["services"]
    worker = services["worker"]
    # `--scale worker=N` needs replicas that do not collide on a name or a host port.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["read_only"] is True
    assert worker["cap_drop"] == ["ALL"]
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["healthcheck"]["test"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["topics"]["command"] == ["topics", "create"]
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["prometheus"]["profiles"] == services["grafana"]["profiles"] == ["monitoring"]


def test_every_setting_the_stack_passes_is_one_the_worker_reads() -> None:
    known = settings_env_names()
    for name, service in compose()["services"].items():
        env = service.get("environment") or {}
        unknown = {k for k in env if k.startswith(("NEWS_INGEST_", "KAFKA_"))} - known
        if name != "kafka":  # the broker's own KAFKA_* settings belong to the apache/kafka image
            assert not unknown, f"{name}: not settings of the worker: {sorted(unknown)}"


def test_mounted_files_exist_in_the_repository() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            # `${VAR:-default}` mounts the default unless the user sets VAR
            source = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", volume).split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"


@pytest.mark.parametrize("path", [OVERRIDE, LOCAL], ids=lambda path: path.name)
def test_override_files_are_valid_against_the_compose_spec(path: Path) -> None:
    assert errors(load_yaml(path)) == []


def test_no_top_level_name_so_compose_1_29_reads_the_file() -> None:
    assert "name" not in compose()  # Debian's docker-compose 1.29 rejects it; .env names the project
    assert "COMPOSE_PROJECT_NAME=news-ingest" in (ROOT / ".env").read_text().splitlines()


def test_local_stack_uses_the_host_network_only() -> None:
    local = load_yaml(LOCAL)
    base = compose()["services"]
    assert {name for name, service in base.items() if "profiles" not in service} <= set(local["services"])
    for name, service in local["services"].items():
        assert service["network_mode"] == "host", name
        # compose 1.29 refuses published ports on the host network: none in the files the local stack loads
        assert "ports" not in service, name
        assert "ports" not in base.get(name, {}), name
    assert local["networks"]["default"] == {"name": "host", "external": True}  # no unused bridge network
    known = settings_env_names()
    for name, service in local["services"].items():
        if name != "kafka":
            env = service.get("environment") or {}
            assert not {k for k in env if k.startswith(("NEWS_INGEST_", "KAFKA_"))} - known, name


def test_second_local_replica_is_the_worker_but_for_its_web_port() -> None:
    """Compose 1.29 cannot `extends` a service with depends_on, so worker-2 repeats the worker."""
    base, local = compose()["services"]["worker"], load_yaml(LOCAL)["services"]
    worker = {**base, **local["worker"], "environment": {**base["environment"], **local["worker"]["environment"]}}
    second = local["worker-2"]

    def without_port(service: dict[str, Any]) -> dict[str, Any]:
        env = {k: v for k, v in service["environment"].items() if k != "NEWS_INGEST_WEB_PORT"}
        return {**{k: v for k, v in service.items() if k != "expose"}, "environment": env}

    assert without_port(second) == without_port(worker)
    assert second["environment"]["NEWS_INGEST_WEB_PORT"] != worker["environment"]["NEWS_INGEST_WEB_PORT"]
