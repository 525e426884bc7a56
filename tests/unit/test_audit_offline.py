"""The offline dependency audit (scripts/audit's fallback) finds a known-vulnerable version, passes a fixed one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "audit_offline.py"
spec = importlib.util.spec_from_file_location("audit_offline", SCRIPT)
assert spec
assert spec.loader
audit_offline = importlib.util.module_from_spec(spec)
sys.modules["audit_offline"] = audit_offline
spec.loader.exec_module(audit_offline)


def test_a_listed_vulnerable_version_is_affected_and_a_fixed_one_is_not() -> None:
    advisories, stamp = audit_offline.load_advisories()
    jinja = advisories["jinja2"]  # pyup.io-25865: fixed in 2.7.2
    assert any(audit_offline.affected("2.7.1", entry["specs"]) for entry in jinja)
    assert not any(audit_offline.affected("3.1.4", entry["specs"]) for entry in jinja)
    assert stamp.year == 2021


def test_unparsable_versions_and_ranges_never_match() -> None:
    assert not audit_offline.affected("not-a-version", ["<2"])
    assert not audit_offline.affected("1.0", ["<<2"])
