"""`python -m workers.devtools.probe [/healthz|/readyz]`: the container health check, exit 0 on a 200.

The port comes from `Settings` (`NEWS_INGEST_WEB_PORT`), like every setting. Building them does not
load the stages (see `workers.settings`), so a check every few seconds stays cheap.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from workers.settings import Settings


def probe(port: int, path: str = "/healthz", timeout: float = 4.0) -> int:
    """0 when the worker on this port answers `path` with 200, else 1."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


def main(argv: list[str]) -> int:
    try:
        port = Settings().web_port
    except ValueError as exc:
        print(f"invalid configuration: {exc}", file=sys.stderr)
        return 1
    return probe(port, argv[0] if argv else "/healthz")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
