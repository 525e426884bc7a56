"""`started` stops a client also when aiokafka's stop re-raises a cancel meant for its own fetch tasks."""

from __future__ import annotations

import asyncio

import pytest

from workers.kafka import started


class StopRaisesInnerCancel:
    """Stands in for a consumer whose fetcher re-raises the CancelledError of its own cancelled fetch
    (aio-libs/aiokafka#647), the way one did after a broker restart."""

    def __init__(self) -> None:
        self.stopped = False

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True
        inner = asyncio.ensure_future(asyncio.sleep(10))
        await asyncio.sleep(0)
        inner.cancel()
        await inner


def test_an_inner_cancel_from_stop_does_not_escape() -> None:
    client = StopRaisesInnerCancel()

    async def use() -> str:
        async with started(client):
            pass
        return "went on"

    assert asyncio.run(use()) == "went on"
    assert client.stopped


def test_a_cancel_of_our_own_task_still_propagates() -> None:
    client = StopRaisesInnerCancel()

    async def use() -> None:
        async with started(client):
            await asyncio.sleep(10)

    async def cancel_it() -> None:
        task = asyncio.ensure_future(use())
        await asyncio.sleep(0.01)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancel_it())
    assert client.stopped
