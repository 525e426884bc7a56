"""Development data outside the repository: left out (and named once) when it is not here, required when it is.

The test command runs a copy of `bench/devdata.py` and `tests/conftest.py` in a checkout-shaped temp
folder with no `../shared` beside it, as a fresh clone has.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import devdata

ROOT = Path(__file__).resolve().parents[2]

TESTS = '''
from bench.devdata import rows, seed_paths

def test_needs_no_data():
    assert 1 + 1 == 2

def test_reads_the_seeds():
    assert seed_paths()

def test_reads_a_data_set():
    assert next(rows("extraction_fundus_eval.jsonl.gz"))
'''


def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "clone"
    (repo / "bench").mkdir(parents=True)
    (repo / "tests").mkdir()
    shutil.copy(ROOT / "bench" / "devdata.py", repo / "bench" / "devdata.py")
    (repo / "bench" / "__init__.py").write_text("")
    (repo / "tests" / "__init__.py").write_text("")
    shutil.copy(ROOT / "tests" / "conftest.py", repo / "tests" / "conftest.py")
    (repo / "tests" / "test_sample.py").write_text(TESTS)
    return repo


def pytest_in(repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (devdata.DATA_ENV, devdata.SEEDS_ENV)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=repo,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False)


def test_without_the_data_the_other_tests_run_and_the_left_out_ones_are_named_once(tmp_path: Path) -> None:
    result = pytest_in(checkout(tmp_path))

    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "1 passed, 2 skipped" in out
    assert out.count("left out: the development data is not here") == 1
    assert "tests/test_sample.py::test_reads_the_seeds" in out
    assert "tests/test_sample.py::test_reads_a_data_set" in out
    assert out.count(devdata.HOW_TO_GET) == 1
    assert "test_needs_no_data" not in out.split("left out:")[1]


def test_where_the_data_is_said_to_be_nothing_is_left_out_and_a_missing_file_fails(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()

    result = pytest_in(repo, **{devdata.DATA_ENV: str(empty), devdata.SEEDS_ENV: str(empty)})

    assert result.returncode == 1, result.stdout
    assert "2 failed, 1 passed" in result.stdout
    assert "left out" not in result.stdout


def test_a_present_default_folder_is_used_and_must_hold_its_files(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(devdata.DATA_ENV, raising=False)
    monkeypatch.delenv(devdata.SEEDS_ENV, raising=False)
    monkeypatch.setattr(devdata, "REPO", tmp_path / "clone")
    with pytest.raises(devdata.DevDataMissing, match=devdata.DATA_ENV):
        devdata.data_dir()
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "shared" / "seeds").mkdir()
    assert devdata.data_dir() == tmp_path / "shared" / "data"
    with pytest.raises(FileNotFoundError) as missing:
        next(devdata.rows("dates_dev.jsonl.gz"))
    assert not isinstance(missing.value, devdata.DevDataMissing)
    with pytest.raises(FileNotFoundError, match="no seed texts") as no_seeds:
        devdata.seed_paths()
    assert not isinstance(no_seeds.value, devdata.DevDataMissing)
