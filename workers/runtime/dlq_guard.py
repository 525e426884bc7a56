"""The dead-letter rate guard: a stage whose recent records mostly fail stops the worker.

One bad record is the record's fault and is dead-lettered. When most of a stage's records fail,
the fault is more likely ours or upstream's (a stage bug after a deploy, a producer sending the
wrong format), and dead-lettering the whole stream would bury it. Like arroyo's `DlqLimit`, the
guard turns that into an infrastructure failure: above `limit_share` dead letters among the last
`window` records of one stage (checked only once the window is full), the worker stops without
committing the record that tripped it (`DeadLetterLimitError` through `workers.runtime.failfast`).

Windows are per stage and per worker process (no coordination across workers). `window` 0 or
`limit_share` 1.0 turns the guard off (the share cannot exceed 1).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from workers.errors import InfrastructureError


class DeadLetterLimitError(InfrastructureError):
    """Too many of a stage's recent records were dead-lettered: the worker stops, uncommitted."""


@dataclass(frozen=True, slots=True)
class Tripped:
    """Why the guard tripped: enough to say in one log line what to look at."""

    stage: str
    article_id: str
    dead: int
    window: int
    limit_share: float
    reason: str
    reason_count: int

    @property
    def share(self) -> float:
        return self.dead / self.window

    def message(self) -> str:
        return (f"{self.stage}: {self.dead} of the last {self.window} records dead-lettered "
                f"({self.share:.0%}, limit {self.limit_share:.0%}; NEWS_INGEST_DEADLETTER_LIMIT_SHARE/_WINDOW), "
                f"most often {self.reason} ({self.reason_count}); stopped before routing {self.article_id}, "
                "which is not committed and is read again after the restart")


class StageWindow:
    """The outcomes of one stage's last `size` records: None for a record routed on, else its reason."""

    def __init__(self, size: int) -> None:
        self._outcomes: deque[str | None] = deque(maxlen=size)
        self._reasons: Counter[str] = Counter()
        self.size = size

    def add(self, reason: str | None) -> None:
        if len(self._outcomes) == self.size:
            oldest = self._outcomes[0]
            if oldest is not None:
                self._reasons[oldest] -= 1
                if not self._reasons[oldest]:
                    del self._reasons[oldest]
        self._outcomes.append(reason)
        if reason is not None:
            self._reasons[reason] += 1

    @property
    def full(self) -> bool:
        return len(self._outcomes) == self.size

    @property
    def dead(self) -> int:
        return self._reasons.total()

    def most_common(self) -> tuple[str, int]:
        return self._reasons.most_common(1)[0] if self._reasons else ("none", 0)


class DeadLetterGuard:
    """One window per stage; `observe` each record a stage finished, before it is routed."""

    def __init__(self, limit_share: float, window: int) -> None:
        self.limit_share = limit_share
        self.window = window
        self._stages: dict[str, StageWindow] = {}

    @property
    def enabled(self) -> bool:
        return self.window > 0 and self.limit_share < 1.0

    def observe(self, stage: str, article_id: str, reason: str | None) -> Tripped | None:
        """Count one record (`reason` None: routed on); a `Tripped` when its stage is now over the limit."""
        if not self.enabled:
            return None
        window = self._stages.get(stage)
        if window is None:
            window = self._stages[stage] = StageWindow(self.window)
        window.add(reason)
        if not window.full or window.dead <= self.limit_share * self.window:
            return None
        common, count = window.most_common()
        return Tripped(stage, article_id, window.dead, self.window, self.limit_share, common, count)
