"""Progress of a stream as a test or bench sees it: outcomes counted per id in a background thread,
so faults can be injected at points of the stream rather than at wall-clock times."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.settings import Settings


class Outcomes:
    """Counts outcomes per id in a background thread (read_committed), so faults can key on progress."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.counts: dict[str, int] = {}
        self.dead: dict[str, str] = {}
        self.enriched: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._read()), daemon=True)

    def start(self) -> Outcomes:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    async def _read(self) -> None:
        """Reads from saved positions; a reader that hears nothing for 20 s reconnects (after a broker
        restart an idle consumer did not always recover), without counting anything twice."""
        positions: dict[TopicPartition, int] = {}
        while not self._stop.is_set():
            consumer = AIOKafkaConsumer(**aiokafka_options(self.settings), group_id=None, enable_auto_commit=False,
                                        auto_offset_reset="earliest", isolation_level="read_committed",
                                        fetch_max_bytes=MAX_MESSAGE_BYTES)
            try:
                async with started(consumer):
                    consumer.assign([TopicPartition(t, p) for t in (self.settings.topic_enriched,
                                                                    self.settings.topic_deadletter)
                                     for p in range(self.settings.topic_partitions)])
                    for tp, offset in positions.items():
                        consumer.seek(tp, offset)
                    heard = time.monotonic()
                    while not self._stop.is_set() and time.monotonic() - heard < 20:
                        batch = await consumer.getmany(timeout_ms=300)
                        heard = time.monotonic() if batch else heard
                        for tp, records in batch.items():
                            for record in records:
                                self._count(orjson.loads(record.value))
                            positions[tp] = records[-1].offset + 1
            # the broker restart, whatever it throws: start a new consumer from the saved positions
            except Exception:  # noqa: BLE001
                await asyncio.sleep(1)

    def _count(self, event: dict[str, Any]) -> None:
        self.counts[event["id"]] = self.counts.get(event["id"], 0) + 1
        if "error" in event:
            self.dead[event["id"]] = f"{event['stage']}: {event['error']['type']} ({event['error']['message']})"
        else:
            self.enriched.add(event["id"])

    def done(self, expected: set[str]) -> int:
        return len(expected & self.counts.keys())

    def wait_for(self, expected: set[str], count: float, *, timeout: float) -> int:
        """Block until `count` of the expected ids came out (or `timeout`); return how many did."""
        deadline = time.monotonic() + timeout
        while self.done(expected) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.done(expected)


def kill_at_random_points(settings: Settings, ids: list[str], worker: Any, *, kills: int, seed: int) -> list[int]:
    """SIGKILL and restart `worker` when random shares (10-80%) of `ids` have come out; return those counts.

    Keyed on progress, not the clock, so the kills land mid-stream on a fast or a slow machine.
    """
    rng = random.Random(seed)
    progress = Outcomes(settings).start()
    at = []
    try:
        for point in sorted(rng.uniform(0.1, 0.8) for _ in range(kills)):
            at.append(progress.wait_for(set(ids), point * len(ids), timeout=480))  # a bound, not a speed claim
            worker.kill()
            worker.start()
    finally:
        progress.stop()
    assert all(0 < n < len(ids) for n in at), f"the kills did not land mid-stream: {at}"
    return at
