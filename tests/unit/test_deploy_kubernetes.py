"""Kubernetes manifests against the Kubernetes JSON Schemas in strict mode (no unknown fields), offline.

Each overlay is rendered with `kubectl kustomize` (or `kustomize build`); every resource file a
kustomization lists is also validated on its own, which needs no tool. KEDA kinds are checked
against a hand-written strict subset schema (tests/unit/schemas/keda-v1alpha1.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from jsonschema import Draft202012Validator

from tests.unit.deploy_support import ROOT, load_all_yaml, load_yaml, renamed, settings_env_names
from workers.settings import Settings

KUBE = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = ["base", "overlays/keda", "overlays/hpa", "overlays/production"]
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}


@cache
def keda_schemas() -> dict[str, Draft202012Validator]:
    doc = json.loads((Path(__file__).parent / "schemas" / "keda-v1alpha1.json").read_text())
    return {kind: Draft202012Validator(doc[kind]) for kind in KEDA_KINDS}


def problems(resource: dict[str, Any]) -> list[str]:
    """Validation errors of one resource (empty when valid)."""
    kind = resource.get("kind")
    if kind in KEDA_KINDS:
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in keda_schemas()[str(kind)].iter_errors(resource)]
    try:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [str(exc)]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"no schema for {kind}: {exc}"]
    return []


def kustomize_command() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


@cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    command = kustomize_command()
    if command is None:
        pytest.skip("neither kustomize nor kubectl is installed; the per-file validation still runs")
    out = subprocess.run([*command, str(KUBE / overlay)], capture_output=True, text=True, check=False, timeout=60)
    assert out.returncode == 0, out.stderr
    return tuple(load_all_yaml(out.stdout))


def by_kind(resources: tuple[dict[str, Any], ...], kind: str) -> dict[str, Any]:
    [found] = [r for r in resources if r["kind"] == kind]
    return found


def listed_resource_files() -> list[Path]:
    """Every file a kustomization lists under `resources` (directories are other kustomizations)."""
    files = []
    for kustomization in sorted(KUBE.rglob("kustomization.yaml")):
        for entry in load_yaml(kustomization).get("resources", []):
            path = (kustomization.parent / entry).resolve()
            if path.is_file():
                files.append(path)
    return files


@pytest.mark.parametrize("path", listed_resource_files(), ids=lambda p: str(p.relative_to(KUBE)))
def test_each_listed_manifest_is_valid_in_strict_mode(path: Path) -> None:
    for resource in load_all_yaml(path.read_text()):
        assert problems(resource) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_rendered_overlay_is_valid_in_strict_mode(overlay: str) -> None:
    resources = rendered(overlay)
    assert {r["kind"] for r in resources} >= {"Deployment", "ConfigMap", "Service", "PodDisruptionBudget"}
    for resource in resources:
        assert problems(resource) == [], f"{resource['kind']}/{resource['metadata']['name']}"


@pytest.mark.parametrize(("kind", "path", "typo"), [
    ("Deployment", ["spec", "template", "spec", "containers", 0, "readinessProbe"], "readynessProbe"),
    ("Deployment", ["spec", "template", "spec", "securityContext", "runAsNonRoot"], "runAsNonroot"),
    ("Deployment", ["spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"],
     "readOnlyRootFileSystem"),
    ("PodDisruptionBudget", ["spec", "maxUnavailable"], "maxUnavailible"),
    ("Service", ["spec", "ports", 0, "targetPort"], "target_port"),
    ("ScaledObject", ["spec", "maxReplicaCount"], "maxReplicas"),
    ("ScaledObject", ["spec", "triggers", 0, "metadata", "lagThreshold"], "lagTreshold"),
    ("TriggerAuthentication", ["spec", "secretTargetRef", 0, "parameter"], "param"),
])
def test_a_renamed_field_is_rejected(kind: str, path: list[str | int], typo: str) -> None:
    resource = by_kind(rendered("overlays/production"), kind)
    assert problems(resource) == []
    assert problems(renamed(resource, path, typo)), f"{kind}: {path[-1]} -> {typo} was accepted"


def test_the_worker_pod_is_locked_down_and_probed_on_its_web_port() -> None:
    deployment = by_kind(rendered("base"), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["affinity"]["podAntiAffinity"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    [port] = container["ports"]
    assert port["containerPort"] == Settings.model_fields["web_port"].default
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/var/lib/news-ingest", "/tmp"}
    assert container["resources"]["requests"]
    assert container["resources"]["limits"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        resource = by_kind(rendered("base"), kind)
        selector = resource["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= labels.items(), f"the {kind} selects no worker pod"


def test_settings_and_secrets_use_the_names_the_worker_reads() -> None:
    known = settings_env_names()
    for overlay in OVERLAYS:
        resources = rendered(overlay)
        config = by_kind(resources, "ConfigMap")["data"]
        assert not set(config) - known, f"{overlay}: unknown settings {sorted(set(config) - known)}"
        [container] = by_kind(resources, "Deployment")["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container.get("env", [])}
        assert not set(env) - known
        assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "news-ingest-kafka"


def test_sasl_ssl_is_wired_from_the_secret_to_the_worker_and_to_keda() -> None:
    resources = rendered("overlays/production")
    config = by_kind(resources, "ConfigMap")["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    pod = by_kind(resources, "Deployment")["spec"]["template"]["spec"]
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert config["KAFKA_SSL_CAFILE"].startswith(mounts["kafka-ca"] + "/")
    scaled = by_kind(resources, "ScaledObject")
    auth = by_kind(resources, "TriggerAuthentication")
    assert scaled["spec"]["triggers"][0]["authenticationRef"]["name"] == auth["metadata"]["name"]
    assert {ref["parameter"] for ref in auth["spec"]["secretTargetRef"]} >= {"sasl", "username", "password", "tls"}


def test_autoscalers_stop_at_the_partition_count_and_read_the_group_the_worker_joins() -> None:
    for overlay, kind, field in (("overlays/keda", "ScaledObject", "maxReplicaCount"),
                                 ("overlays/hpa", "HorizontalPodAutoscaler", "maxReplicas")):
        resources = rendered(overlay)
        config = by_kind(resources, "ConfigMap")["data"]
        assert by_kind(resources, kind)["spec"][field] == int(config["NEWS_INGEST_TOPIC_PARTITIONS"])
        assert "replicas" not in by_kind(resources, "Deployment")["spec"], "the autoscaler owns replicas"
    trigger = by_kind(rendered("overlays/keda"), "ScaledObject")["spec"]["triggers"][0]
    config = by_kind(rendered("overlays/keda"), "ConfigMap")["data"]
    assert trigger["type"] == "kafka"
    assert config[trigger["metadata"]["consumerGroupFromEnv"]] == config["NEWS_INGEST_APP_ID"]
    assert trigger["metadata"]["bootstrapServersFromEnv"] in config
