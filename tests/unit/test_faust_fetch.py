"""The worker's consumer waits 100 ms for a fetch, not the 1.5 s Faust hard-codes (workers/runtime/faust_fetch.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from workers.runtime import faust_fetch


def fetch_wait_ms(build: Any) -> int:
    """The fetch wait of the aiokafka consumer Faust's consumer thread builds for a worker (no broker contacted).

    Built in a thread of its own with a loop of its own, closed afterwards, so that the main
    thread's event loop, which other tests' Faust apps use, is left as it was.
    """
    def in_own_thread() -> int:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = faust.App("fetch-test", broker="kafka://127.0.0.1:1", autodiscover=False, loop=loop)
        consumer_of_app: Any = app.consumer
        thread = consumer_of_app._thread  # noqa: SLF001

        async def built() -> int:  # aiokafka takes the running loop when constructed
            consumer = build(thread, app.transport)
            try:
                return int(consumer._fetch_max_wait_ms)  # noqa: SLF001
            finally:
                await consumer.stop()
        try:
            return loop.run_until_complete(built())
        finally:
            thread.thread_loop.close()  # the consumer thread's own loop (never started here)
            loop.close()
            asyncio.set_event_loop(None)
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(in_own_thread).result()


def test_faust_alone_builds_a_consumer_that_waits_1500_ms_for_a_fetch() -> None:
    assert fetch_wait_ms(faust_fetch._create_worker_consumer) == 1500  # noqa: SLF001  # Faust's original


def test_after_install_the_worker_consumer_waits_100_ms() -> None:
    faust_fetch.install()
    assert fetch_wait_ms(lambda thread, transport: thread._create_worker_consumer(transport)) == 100  # noqa: SLF001
    assert faust_fetch.FETCH_MAX_WAIT_MS == 100
