"""An exception that escapes an agent must end the worker uncommitted, not let Faust ack the record."""

from __future__ import annotations

import subprocess
import sys

from workers.runtime.failfast import EXIT_STATUS

PROGRAM = """
import logging
from workers.runtime.failfast import exit_on_failure
logging.basicConfig(level=logging.INFO)
with exit_on_failure("tag"):
    raise RuntimeError("pool gone")
print("carried on")
"""


def test_a_failure_that_is_not_the_records_ends_the_process_with_its_own_status() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_STATUS
    assert "carried on" not in done.stdout
    assert "exiting without committing: tag failed" in done.stderr
    assert "RuntimeError: pool gone" in done.stderr


def test_without_a_failure_the_block_just_runs() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM.replace('raise RuntimeError("pool gone")', "pass")],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "carried on" in done.stdout
