"""Offline dependency audit: installed distributions against PyUp's safety-db snapshot (no network).

The fallback of `scripts/audit` when no online vulnerability database can be reached (the build
machines here resolve neither api.osv.dev nor PyPI's per-version JSON). The snapshot is old (its date
is printed), so a pass means "no advisory known at that date", never more; a hit is a real finding.
safety-db is CC BY-NC 4.0: it is used here as a CI tool and never shipped.

    python scripts/audit_offline.py        # exit 1 when an installed version is listed as insecure
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import json
import sys
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def load_advisories() -> tuple[dict[str, list[dict[str, object]]], dt.date]:
    """{canonical name: [advisory]} and the snapshot's date."""
    spec = importlib.util.find_spec("safety_db")  # located, not imported: its __init__ reads a relative path
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("safety-db is not installed (pip install -e '.[audit]')")
    path = Path(spec.submodule_search_locations[0]) / "insecure_full.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    stamp = dt.datetime.fromtimestamp(int(raw.pop("$meta")["timestamp"]), tz=dt.UTC).date()
    return {canonicalize_name(name): entries for name, entries in raw.items()}, stamp


def affected(version: str, specs: object) -> bool:
    """True when `version` falls in any of the advisory's ranges (unparsable ranges never match)."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    for spec in specs if isinstance(specs, list) else []:
        try:
            if parsed in SpecifierSet(str(spec), prereleases=True):
                return True
        except InvalidSpecifier:
            continue
    return False


def main() -> int:
    advisories, stamp = load_advisories()
    installed = {canonicalize_name(d.metadata["Name"]): d.version
                 for d in importlib.metadata.distributions() if d.metadata["Name"]}
    findings = [(name, version, entry) for name, version in sorted(installed.items())
                for entry in advisories.get(name, []) if affected(version, entry.get("specs"))]
    for name, version, entry in findings:
        print(f"VULNERABLE {name} {version}: {entry.get('id')} {entry.get('cve') or ''} "
              f"(affected {entry.get('v')}) {str(entry.get('advisory'))[:200]}")
    print(f"offline audit: {len(installed)} installed distributions against safety-db advisories up to "
          f"{stamp.isoformat()} (newer advisories are not known to this check): "
          f"{len(findings)} known vulnerable")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
