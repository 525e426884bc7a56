"""Checks `scripts/test-containers` runs inside the worker image, with the image's own CLI and schemas.

Run as `python /checks/stack_checks.py COMMAND ...` (the image's venv has the package); every Kafka
read goes through `news-ingest tail`, so no Kafka code lives here.

  raw-events PAGES.jsonl.gz --limit N     raw events {id, url, html} on stdout, read in place
  wait (--count N | --ids RAW.jsonl [--at-least N]) --timeout S
                                          until that many input ids are out (enriched or dead-lettered)
  seeds FIRST.txt SECOND.txt              the seeds enriched: schema, `de`, 2025-12-31, the copy `near`
  pages RAW.jsonl                         every page out exactly as enriched or dead-lettered, schemas
  metrics URL                             the worker's Prometheus metrics
  image --models DIR --probe MODULE       the installed package: models as shipped and loading, probe, no PyTorch
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from prometheus_client.parser import text_string_to_metric_families

from workers.cli.inputs import file_records
from workers.records import record_id
from workers.schemas import validator


class CheckFailed(Exception):
    """A property of the running stack does not hold; the message says which."""


def tail(*, deadletter: bool = False) -> list[dict[str, Any]]:
    """Everything on articles.enriched (or articles.deadletter) so far, via `news-ingest tail`."""
    argv = ["news-ingest", "tail", "--from-beginning", *(["--deadletter"] if deadletter else [])]
    out = subprocess.run(argv, capture_output=True, check=True, timeout=120).stdout
    return [orjson.loads(line) for line in out.splitlines() if line.strip()]


def raw_ids(path: Path) -> list[str]:
    return [record_id(None, line) for line in path.read_bytes().splitlines() if line.strip()]


def out_ids() -> set[str]:
    return {event["id"] for event in [*tail(), *tail(deadletter=True)]}


def raw_events(source: Path, limit: int) -> None:
    with gzip.open(source, "rb") as rows:
        for n, line in enumerate(rows):
            if n >= limit:
                break
            row = orjson.loads(line)
            sys.stdout.buffer.write(orjson.dumps({"id": row["id"], "url": row["url"], "html": row["html"]}) + b"\n")


def wait(count: int | None, ids_file: Path | None, at_least: int | None, timeout: float) -> None:
    wanted = set(raw_ids(ids_file)) if ids_file else None
    target = at_least or (len(wanted) if wanted is not None else count or 1)
    started = time.monotonic()
    while True:
        seen = out_ids()
        done = len(seen & wanted) if wanted is not None else len(seen)
        elapsed = time.monotonic() - started
        if done >= target:
            print(f"{done} input id(s) out after {elapsed:.0f} s", file=sys.stderr)
            return
        if elapsed > timeout:
            raise CheckFailed(f"only {done} of {target} input id(s) out after {timeout:.0f} s")
        time.sleep(3)


def valid(kind: str, events: list[dict[str, Any]]) -> None:
    check = validator(kind)
    for event in events:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(event)]
        if errors:
            raise CheckFailed(f"{kind} event {event.get('id')} breaks {kind}.v1: {errors[:3]}")


def seeds(first: Path, second: Path) -> None:
    """The first seed (oe24, fed first) is unique; the second (dpa-AFX wire copy) is `near` of it."""
    (first_record,) = file_records(first)
    (second_record,) = file_records(second)
    original_id, copy_id = record_id(None, first_record), record_id(None, second_record)
    events = tail()
    valid("enriched", events)
    by_id: dict[str, dict[str, Any]] = {}
    for event in events:
        by_id.setdefault(event["id"], event)  # a redelivered record repeats its first verdict's id
    if set(by_id) != {original_id, copy_id}:
        raise CheckFailed(f"expected the seeds {original_id}, {copy_id} on articles.enriched, got {sorted(by_id)}")
    for event in by_id.values():
        if event["language"]["code"] != "de":
            raise CheckFailed(f"{event['id']}: language {event['language']}, expected de")
        if not (event["published_at"].startswith("2025-12-31") and event["published_local"].startswith("2025-12-31")):
            raise CheckFailed(f"{event['id']}: published {event['published_at']} / {event['published_local']}")
    original, copy = by_id[original_id], by_id[copy_id]
    if b"oe24" not in first_record or (copy.get("dateline") or {}).get("agency") != "dpa-AFX":
        raise CheckFailed("expected the oe24 page first and the dpa-AFX wire copy second")
    if original["duplicate"]["status"] != "unique":
        raise CheckFailed(f"oe24 {original_id}: duplicate {original['duplicate']}, expected unique")
    dup = copy["duplicate"]
    if (dup["status"], dup["of"], dup["cluster_id"]) != ("near", original_id, original_id):
        raise CheckFailed(f"dpa-AFX {copy_id}: duplicate {dup}, expected near of {original_id}")
    print(f"seeds: {len(events)} event(s); oe24 {original_id} unique; dpa-AFX {copy_id} near of it "
          f"(similarity {dup['similarity']}); both de, published 2025-12-31", file=sys.stderr)


def pages(raw: Path) -> None:
    sent = raw_ids(raw)
    enriched, dead = tail(), tail(deadletter=True)
    valid("enriched", enriched)
    valid("deadletter", dead)
    enriched_ids, dead_ids = {e["id"] for e in enriched}, {e["id"] for e in dead}
    missing = set(sent) - enriched_ids - dead_ids
    if missing:
        raise CheckFailed(f"{len(missing)} of {len(sent)} pages never came out, e.g. {sorted(missing)[:5]}")
    both = set(sent) & enriched_ids & dead_ids
    if both:
        raise CheckFailed(f"{len(both)} page(s) both enriched and dead-lettered, e.g. {sorted(both)[:5]}")
    repeats = sum(n - 1 for n in Counter(e["id"] for e in [*enriched, *dead]).values())
    reasons = Counter(e["error"]["type"] for e in dead if e["id"] in set(sent))
    print(f"pages: {len(sent)} in; {len(set(sent) & enriched_ids)} enriched, {len(set(sent) & dead_ids)} "
          f"dead-lettered {dict(reasons)}; {repeats} redelivered event(s) (at-least-once)", file=sys.stderr)


def metrics(url: str) -> None:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a loopback URL from the script)
        text = response.read().decode()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    wanted = {"news_ingest_records_in", "news_ingest_records_out", "news_ingest_processing_seconds",
              "news_ingest_deadlettered", "news_ingest_consumer_lag"}
    if wanted - set(families):
        raise CheckFailed(f"{url}: missing metric families {sorted(wanted - set(families))}")
    consumed = {s.labels.get("stage"): s.value for s in families["news_ingest_records_in"].samples
                if s.name.endswith("_total")}
    if not all(consumed.get(stage, 0) > 0 for stage in ("extract", "normalize", "tag", "dedup")):
        raise CheckFailed(f"{url}: records consumed per stage {consumed}, expected all four > 0")
    print(f"metrics: {len(families)} families; records in per stage {consumed}", file=sys.stderr)


def model_files(root: Path) -> set[str]:
    """Files of the model directories under `root` (each subdirectory of workers/models is one model)."""
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and len(p.relative_to(root).parts) > 1 and "__pycache__" not in p.parts}


def image(models: Path, probe: str) -> None:
    import workers.models  # noqa: PLC0415 (the installed package, not a checkout)

    shipped, installed = model_files(models), model_files(Path(workers.models.__file__).parent)
    if not shipped:
        raise CheckFailed("the checkout's workers/models holds no model: the worker would refuse to start")
    if shipped != installed:
        raise CheckFailed(f"models in the image differ from the checkout's: missing {sorted(shipped - installed)[:5]}, "
                          f"extra {sorted(installed - shipped)[:5]}")
    from workers.models import TIERS  # noqa: PLC0415
    from workers.stages.tag import TagConfig, check_model  # noqa: PLC0415

    for tier in TIERS:  # each tier's files load in the image (ModelUnavailable otherwise)
        check_model(TagConfig(model=tier))
    if importlib.util.find_spec(probe) is None:
        raise CheckFailed(f"the HEALTHCHECK module {probe} is not in the installed package")
    if importlib.util.find_spec("torch") is not None:
        raise CheckFailed("PyTorch is installed in the runtime image")
    print(f"image: {len(installed)} model files as in the checkout, tiers {', '.join(TIERS)} load, {probe} importable, "
          "no PyTorch", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("raw-events")
    p.add_argument("source", type=Path)
    p.add_argument("--limit", type=int, default=300)
    p = commands.add_parser("wait")
    p.add_argument("--count", type=int)
    p.add_argument("--ids", type=Path)
    p.add_argument("--at-least", type=int)
    p.add_argument("--timeout", type=float, default=300)
    p = commands.add_parser("seeds")
    p.add_argument("first", type=Path)
    p.add_argument("second", type=Path)
    commands.add_parser("pages").add_argument("raw", type=Path)
    commands.add_parser("metrics").add_argument("url")
    p = commands.add_parser("image")
    p.add_argument("--models", type=Path, required=True)
    p.add_argument("--probe", required=True)
    args = parser.parse_args()
    try:
        match args.command:
            case "raw-events":
                raw_events(args.source, args.limit)
            case "wait":
                wait(args.count, args.ids, args.at_least, args.timeout)
            case "seeds":
                seeds(args.first, args.second)
            case "pages":
                pages(args.raw)
            case "metrics":
                metrics(args.url)
            case "image":
                image(args.models, args.probe)
    except CheckFailed as failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
