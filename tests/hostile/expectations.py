"""Checking one corpus item's outcome (shared by the offline and the on-broker hostile tests)."""

from __future__ import annotations

from typing import Any

from tests.hostile.corpus import ENRICHED, Item
from workers.schemas import validator


def check_outcome(item: Item, events: list[dict[str, Any]]) -> None:
    assert len(events) == 1, f"{item.name}: expected exactly one outcome, got {len(events)}"
    event = events[0]
    if item.expect == ENRICHED:
        assert "error" not in event, f"{item.name}: dead-lettered as {event.get('error')}"
        assert not list(validator("enriched").iter_errors(event))
        assert event["text"].strip()
        assert "\x00" not in event["text"]
        assert len(event["text"]) <= len(item.value), "text grew beyond its input (entity expansion?)"
    else:
        assert "error" in event, f"{item.name}: expected dead letter {item.expect}, got an enriched event"
        assert not list(validator("deadletter").iter_errors(event))
        assert event["error"]["type"] == item.expect, f"{item.name}: {event['error']}"
        assert event["error"]["message"]
