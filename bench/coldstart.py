"""What a new pool process pays on its first pages, with and without the fork server's warm-up.

    python -m bench.coldstart [--pages 60] [--rounds 2]

Each round starts two fresh interpreters on the same real pages (extract, then normalize, as a pool
process runs them): one cold, as every new or recycled pool process was before `workers.runtime.warm`
built dateparser's patterns in the fork server, and one that runs those warm-ups first (what a process
forked from the warmed server inherits). Prints per mode the slowest page, p95, the pages over 1 s, the
total, the warm-up's own cost (paid once per worker, in the fork server) and peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.pipeline import pages, percentile


def child(mode: str, count: int) -> dict[str, float]:
    """Runs in the fresh interpreter: optionally warm, then time extract + normalize page by page."""
    from workers.errors import StageError  # noqa: PLC0415  (the child's imports are what is measured)
    from workers.settings import Settings  # noqa: PLC0415
    from workers.stages import extract, normalize  # noqa: PLC0415

    settings = Settings(_env_file=None)
    extract_cfg, normalize_cfg = settings.extract_config(), settings.normalize_config()
    records = pages(count)
    started = time.perf_counter()
    if mode == "warm":
        extract.warm_date_parser()
        normalize.warm_date_parser()
    warm_s = time.perf_counter() - started
    took = []
    for record in records:
        started = time.perf_counter()
        with contextlib.suppress(StageError):  # a page a stage refuses still took its time
            normalize.run(extract.run(record, extract_cfg), normalize_cfg, datetime.now(UTC))
        took.append((time.perf_counter() - started) * 1000)
    return {"warm_s": warm_s, "max_ms": max(took), "p95_ms": percentile(took, 95),
            "over_1s": sum(1 for t in took if t > 1000), "total_s": sum(took) / 1000,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", choices=["cold", "warm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.pages)))
        return
    print(f"{args.pages} real pages (extract + normalize) in fresh interpreters, {args.rounds} rounds")
    for round_ in range(1, args.rounds + 1):
        for mode in ("cold", "warm"):
            out = subprocess.run([sys.executable, "-m", "bench.coldstart", "--child", mode, "--pages", str(args.pages)],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"round {round_} {mode:4}: slowest page {r['max_ms']:7.0f} ms, p95 {r['p95_ms']:5.0f} ms, "
                  f"{r['over_1s']:.0f} page(s) over 1 s, pages {r['total_s']:5.1f} s; "
                  f"warm-up {r['warm_s']:4.1f} s (once per worker, in the fork server); "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
