"""Unit tests import only what they test: collecting one loads no Kafka client and no broker fixture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Collect a unit test module in a fresh interpreter (this one has imported every test module), then
# list which of the broker-side modules pytest, the conftests and that module pulled in.
CHILD = """
import sys
import pytest
code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "tests/unit/test_records.py"])
print("LOADED", sorted(m for m in ("faust", "aiokafka", "workers.devtools.localkafka", "tests.support.fixtures")
                       if m in sys.modules))
sys.exit(code)
"""


def test_collecting_a_unit_test_imports_no_kafka_client_nor_broker_fixture() -> None:
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LOADED []" in result.stdout, result.stdout
