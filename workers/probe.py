"""`python -m workers.probe [/healthz|/readyz]`: the container health check, exit 0 when the worker answers 200.

Standard library only, and the port read straight from the environment rather than through
`Settings`: the probe runs every few seconds and must not pay for importing the stages.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def probe(path: str = "/healthz", timeout: float = 4.0) -> int:
    port = os.environ.get("NEWS_INGEST_WEB_PORT", "6066")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(probe(sys.argv[1] if len(sys.argv) > 1 else "/healthz"))
