"""The library code that `faust_fixes` and `faust_fetch` replace or lean on, pinned by version and by source hash.

`faust_fixes` swaps private methods of faust-streaming's consumer and wraps one of aiokafka's;
`faust_fetch` wraps the method that builds Faust's worker consumer. Those
are not public API: a release can change them silently, and a fix written against the old body could
then commit past unprocessed records again, or stall. So the worker refuses to start unless the
installed versions are the ones the fixes were verified on and each function is, to the character,
the one they were written against (a sha256 of `inspect.getsource`: it reads the installed .py file,
so it is the same for every interpreter build of one release, and any edit to the function body
changes it).

To move to a new release: read the new bodies of the functions below, port the fixes, run
tests/unit/test_faust_fixes.py, tests/e2e/test_compacted_input.py and
`tests/e2e/test_faults.py -k rebalance`, then update the pins in pyproject.toml and the table here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka.consumer.consumer import AIOKafkaConsumer
from aiokafka.consumer.fetcher import FetchResult
from faust.transport.conductor import Conductor
from faust.transport.consumer import Consumer, ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from workers.errors import UnverifiedDependency

#: The distributions the fixes were verified on (pyproject.toml pins exactly these).
VERIFIED_VERSIONS: Mapping[str, str] = {"faust-streaming": "0.15.3", "aiokafka": "0.14.0"}

#: The originals, captured at import (before `install` replaces any), as name -> function.
ORIGINALS: Mapping[str, Callable[..., Any]] = {
    # replaced
    "faust.transport.consumer.Consumer._new_offset": Consumer._new_offset,
    "faust.transport.consumer.Consumer._add_gap": Consumer._add_gap,
    # wrapped: called, then corrected or observed
    "faust.transport.consumer.Consumer.perform_seek": Consumer.perform_seek,
    "faust.transport.consumer.ThreadDelegateConsumer._getmany": ThreadDelegateConsumer._getmany,
    "faust.transport.drivers.aiokafka.AIOKafkaConsumerThread._fetch_records": AIOKafkaConsumerThread._fetch_records,
    "aiokafka.consumer.fetcher.FetchResult.getall": FetchResult.getall,
    # relied on: it calls `_add_gap(tp, last_read + 1, offset)` and drops records below the read offset
    "faust.transport.consumer.Consumer._drain_messages": Consumer._drain_messages,
    # relied on by StuckHeads: each partition's records go to the channel queues in `_tp_index[tp]`
    "faust.transport.conductor.Conductor._update_tp_index": Conductor._update_tp_index,
    "faust.transport.conductor.Conductor._build_handler": Conductor._build_handler,
    # faust_fetch: wrapped (the consumer it builds gets a shorter fetch wait) and relied on (reads the wait)
    "faust.transport.drivers.aiokafka.AIOKafkaConsumerThread._create_worker_consumer":
        AIOKafkaConsumerThread._create_worker_consumer,
    "aiokafka.consumer.consumer.AIOKafkaConsumer.start": AIOKafkaConsumer.start,
}

#: sha256 of each original's source in the verified versions.
EXPECTED_SOURCES: Mapping[str, str] = {
    "faust.transport.consumer.Consumer._new_offset":
        "1d2c7ea89a7ad4f1a216c1d51936e569162cd66bd56f889e13fd29c910b58eb0",
    "faust.transport.consumer.Consumer._add_gap":
        "4df2573ded7c1c2cde04dc6bde6d4480cb5875ef565256e56966b585ae39b1c1",
    "faust.transport.consumer.Consumer.perform_seek":
        "0e8c130ff4b0afd82c0be9c5fd831316e10febc62c94032833911096e156d7c6",
    "faust.transport.consumer.ThreadDelegateConsumer._getmany":
        "f9d47aa9010b5ff2b874ba65f927871f3612718d8a9db00b58601554a35236c4",
    "faust.transport.drivers.aiokafka.AIOKafkaConsumerThread._fetch_records":
        "39a2c6c79fc1455a199629912b533458a720c64983bc957420a42feef6593baa",
    "aiokafka.consumer.fetcher.FetchResult.getall":
        "3e717e30de5068d549dd41b231928c67a24e832a928d48bac5f485e448daa903",
    "faust.transport.consumer.Consumer._drain_messages":
        "44a2500309e83c630493f6828af50166ec8d96a0b3e4fb2bab735f704ae93417",
    "faust.transport.conductor.Conductor._update_tp_index":
        "e8e3ac9025ef44f7fdc4dce3deb8622edef9cc8533cd41ef259c2378429ac6ee",
    "faust.transport.conductor.Conductor._build_handler":
        "5c071d1277988c57e4bb62e25551981babd67d6544d85db9b14bdb0d8aa1b56d",
    "faust.transport.drivers.aiokafka.AIOKafkaConsumerThread._create_worker_consumer":
        "c2701bfc3e6f6cad95c2be36d6a255a86e2c57d18d36cc1082b5fb5c482d99d7",
    "aiokafka.consumer.consumer.AIOKafkaConsumer.start":
        "2f1ba70443327538800d348e61042cdedd5a5e6306f40ebe1a06dddba7494c45",
}


def source_digest(function: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def problems(*, installed: Callable[[str], str] = importlib.metadata.version,
             originals: Mapping[str, Callable[..., Any]] | None = None) -> list[str]:
    """What differs from the verified libraries; empty when the fixes may be installed."""
    originals = ORIGINALS if originals is None else originals
    found = []
    for distribution, verified in VERIFIED_VERSIONS.items():
        try:
            version = installed(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "none"
        if version != verified:
            found.append(f"{distribution} {version} is installed, the fixes were verified on {verified} only")
    for name, expected in EXPECTED_SOURCES.items():
        function = originals.get(name)
        try:
            digest = None if function is None else source_digest(function)
        except (OSError, TypeError):
            digest = None
        if digest != expected:
            found.append(f"{name} is not the code the fixes were verified against "
                         f"(source sha256 {digest or 'unreadable'}, expected {expected[:12]}...)")
    return found


def verify(**kwargs: Any) -> None:
    """Raise `UnverifiedDependency` naming every difference, before anything is patched."""
    found = problems(**kwargs)
    if found:
        verified = ", ".join(f"{name}=={version}" for name, version in VERIFIED_VERSIONS.items())
        raise UnverifiedDependency(
            "refusing to start: the Faust offset fixes (workers/runtime/faust_fixes.py) were verified on "
            f"{verified} only, and " + "; ".join(found) + ". Install the pinned versions (pyproject.toml), "
            "or port and re-verify the fixes (see workers/runtime/faust_verified.py)")
