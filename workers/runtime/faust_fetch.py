"""The consumer's fetch wait: 100 ms, not the 1.5 s Faust hard-codes, so a hop waits for data, not an idle fetch.

aiokafka keeps one fetch request in flight per broker (`Fetcher._get_actions_per_node` skips a node
with one in flight), and a partition whose fetched records are still buffered is left out of the
next request. When the request in flight holds only partitions with nothing new, the broker parks
it for `fetch_max_wait_ms` before it answers empty; the busy partition, drained meanwhile, waits
for that answer before it is fetched again. Faust passes `fetch_max_wait_ms=1500`
(`AIOKafkaConsumerThread._create_worker_consumer`), so a worker reading several topics, as ours
does (every stage, the dedup index topic, the changelogs), paused up to 1.5 s between fetches of a
busy partition: bench.dedup_kafka showed the dedup writer taking a few bundles, then idling
1.1-1.3 s, again and again, with both cores half idle. At 100 ms an idle worker sends ten empty
fetches a second to each broker, a cost too small to measure beside its idle timers.

The worker consumer is built by Faust and its wait is not a setting, so `install` wraps the method
that builds it and sets the wait aiokafka reads when it starts the consumer's fetcher
(`AIOKafkaConsumer.start`); both are pinned in `faust_verified`.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

from workers.runtime import faust_verified

FETCH_MAX_WAIT_MS = 100

_create_worker_consumer = AIOKafkaConsumerThread._create_worker_consumer  # noqa: SLF001


def _create_worker_consumer_waiting_less(self: Any, transport: Any) -> Any:
    consumer = _create_worker_consumer(self, transport)
    consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # noqa: SLF001  # read by AIOKafkaConsumer.start
    return consumer


def install() -> None:
    """Shorten the worker consumer's fetch wait in this process; refuses unverified versions."""
    faust_verified.verify()
    AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer_waiting_less  # type: ignore[method-assign]  # noqa: SLF001
