"""A machine without Java or Maven gets a clear message from `news-ingest kafka fetch`, not a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def fetch_with_only(tools: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `kafka fetch` with a PATH holding just these tools, and an empty broker cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"{tool} is needed on this machine to run the test"
        (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir), "NEWS_INGEST_KAFKA_HOME": str(tmp_path / "kafka")}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    return subprocess.run([sys.executable, "-m", "workers", "kafka", "fetch"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize(("present", "missing", "hint"), [
    ([], "java", "install a JDK >= 17"),
    (["java"], "mvn", "install Maven"),
])
def test_missing_tool_is_named_with_what_to_install(present: list[str], missing: str, hint: str,
                                                    tmp_path: Path) -> None:
    result = fetch_with_only(present, tmp_path)

    assert result.returncode != 0
    assert f"`{missing}` was not found on PATH" in result.stderr
    assert hint in result.stderr
    assert "Traceback" not in result.stderr
