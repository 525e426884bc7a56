"""What commands tell the user as they go: progress on stderr, and the honest summary at the end."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import IO, Any

import orjson
from tqdm import tqdm


class Progress:
    """Records done: a bar with rate and ETA when `stream` is a terminal, else a plain count line every
    `interval` seconds (logs and CI output get no carriage returns)."""

    def __init__(self, verb: str, total: int | None, *, stream: IO[str] | None = None, interval: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream or sys.stderr
        self._verb, self._total, self._interval, self._clock = verb, total, interval, clock
        self.done = 0
        self._start = self._last = clock()
        self._bar: Any = None
        if self._stream.isatty():
            self._bar = tqdm(total=total, unit=" records", desc=verb, file=self._stream, dynamic_ncols=True,
                             leave=False)

    def update(self, count: int = 1) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
            return
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._stream.write(self.line(now) + "\n")
            self._stream.flush()

    def line(self, now: float) -> str:
        """`enrich: 120/400 records, 3.2/s, about 1 min 28 s left`."""
        rate = self.done / max(now - self._start, 1e-9)
        if self._total is None:
            return f"{self._verb}: {self.done:,} records, {rate:.1f}/s"
        left = f", about {_duration((self._total - self.done) / rate)} left" if rate > 0 else ""
        return f"{self._verb}: {self.done:,}/{self._total:,} records, {rate:.1f}/s{left}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class Tally:
    """Outcomes of a run: enriched events and dead letters by reason."""

    def __init__(self) -> None:
        self.enriched = 0
        self.reasons: Counter[str] = Counter()

    def add(self, event: bytes | dict[str, Any]) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(event) if isinstance(event, bytes) else event
        if "error" in parsed and "stage" in parsed:
            self.reasons[str(parsed["error"]["type"])] += 1
        else:
            self.enriched += 1
        return parsed

    @property
    def total(self) -> int:
        return self.enriched + self.reasons.total()

    def line(self) -> str:
        """`7 records: 6 enriched, 1 dead-lettered (missing_content 1)`."""
        dead = self.reasons.total()
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.reasons.items(),
                                                                               key=lambda item: (-item[1], item[0])))
        return (f"{self.total:,} record{'s' if self.total != 1 else ''}: {self.enriched:,} enriched, "
                f"{dead:,} dead-lettered" + (f" ({reasons})" if reasons else ""))


def size(count: int) -> str:
    """Bytes for people: 812 B, 12.3 kB, 4.1 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
