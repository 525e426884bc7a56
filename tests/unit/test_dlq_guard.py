"""The dead-letter rate guard's window: trips above the share once full, per stage, off when disabled."""

from __future__ import annotations

import pytest

from workers.runtime.dlq_guard import DeadLetterGuard, StageWindow


def feed(guard: DeadLetterGuard, stage: str, reasons: list[str | None]) -> list[int]:
    """The positions (0-based) of the records at which the guard tripped."""
    return [i for i, reason in enumerate(reasons) if guard.observe(stage, f"a{i}", reason) is not None]


def test_a_stage_whose_every_record_fails_trips_when_the_window_fills_not_before() -> None:
    guard = DeadLetterGuard(0.5, 20)
    assert feed(guard, "extract", ["no_content"] * 19) == []
    tripped = guard.observe("extract", "the-20th", "no_content")
    assert tripped is not None
    assert (tripped.stage, tripped.article_id, tripped.dead, tripped.window) == ("extract", "the-20th", 20, 20)
    assert tripped.share == 1.0
    assert (tripped.reason, tripped.reason_count) == ("no_content", 20)


def test_the_share_must_exceed_the_limit() -> None:
    at_limit = ["no_content", None] * 10  # 10 of 20: equal to 0.5, not above
    assert feed(DeadLetterGuard(0.5, 20), "tag", at_limit) == []
    over = [None] * 9 + ["timeout"] * 11  # 11 of 20
    assert feed(DeadLetterGuard(0.5, 20), "tag", over) == [19]


def test_old_records_leave_the_window() -> None:
    guard = DeadLetterGuard(0.5, 10)
    # 6 failures then successes: full at record 10 with 6/10 (trips), then the failures slide out
    trips = feed(guard, "normalize", ["timeout"] * 6 + [None] * 14)
    assert trips == [9]
    window = StageWindow(3)
    for reason in ["a", "b", None, None, None]:
        window.add(reason)
    assert window.full
    assert window.dead == 0
    assert window.most_common() == ("none", 0)


def test_stages_have_their_own_windows() -> None:
    guard = DeadLetterGuard(0.5, 4)
    assert feed(guard, "extract", [None, None, None]) == []
    assert feed(guard, "dedup", ["stage_crashed"] * 3) == []
    assert guard.observe("extract", "x", None) is None
    assert guard.observe("dedup", "y", "stage_crashed") is not None


def test_the_most_common_reason_is_named() -> None:
    guard = DeadLetterGuard(0.5, 5)
    tripped = [guard.observe("extract", str(i), r) for i, r in
               enumerate(["not_html", "no_content", "no_content", None, "no_content"])][-1]
    assert tripped is not None
    assert (tripped.dead, tripped.reason, tripped.reason_count) == (4, "no_content", 3)
    text = tripped.message()
    for part in ("extract", "4 of the last 5", "80%", "limit 50%", "no_content (3)", "before routing 4"):
        assert part in text


@pytest.mark.parametrize(("share", "window"), [(1.0, 20), (0.5, 0)])
def test_share_one_or_window_zero_turns_the_guard_off(share: float, window: int) -> None:
    guard = DeadLetterGuard(share, window)
    assert not guard.enabled
    assert feed(guard, "extract", ["no_content"] * 100) == []
