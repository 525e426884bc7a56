"""Typed stage errors: a `StageError` means *this input* is bad and goes to the dead-letter topic.

    StageError                  (reason: str)
    ├── DecodeFailed            invalid_json, not_utf8, invalid_record, missing_content, ambiguous_content
    ├── InputTooLarge           too_large
    ├── ExtractionFailed        no_content (it parses, but holds no main text), not_html (it cannot be
    │                           parsed as HTML), too_deep, extraction_failed
    ├── NormalizationFailed     implausible_date, ...
    ├── StageTimeout            timeout
    └── StageCrashed            stage_crashed (the stage raised something unexpected on this input)

    InfrastructureError         not the input's fault: the worker stops, uncommitted, and restarts
    ├── PoolUnavailable         the process pool is stopped or broken (workers.runtime.pool)
    ├── ModelUnavailable        a model file is missing or unreadable (workers.stages.tag)
    └── UnverifiedDependency    an installed faust-streaming or aiokafka is not the version (or code) the
                                offset fixes were verified on (workers.runtime.faust_verified)

Anything that is not a `StageError` (broker faults, bugs in the wiring, an `InfrastructureError`)
propagates and the worker restarts, so no record is dead-lettered for a fault of ours. Errors are
told apart by type, never by their message.
"""

from __future__ import annotations


class StageError(Exception):
    """Bad input for one stage; `reason` is a stable machine-readable code."""

    reason: str = "stage_error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    def __reduce__(self) -> tuple[type[StageError], tuple[str], dict[str, str]]:
        # Keep `reason` when the error crosses the process-pool boundary (pickle drops kwargs).
        return (type(self), (self.message,), {"reason": self.reason})

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.reason


class DecodeFailed(StageError):
    reason = "invalid_record"


class InputTooLarge(StageError):
    reason = "too_large"


class ExtractionFailed(StageError):
    reason = "extraction_failed"


class NormalizationFailed(StageError):
    reason = "normalization_failed"


class StageTimeout(StageError):
    reason = "timeout"


class StageCrashed(StageError):
    reason = "stage_crashed"


class InfrastructureError(RuntimeError):
    """A broken deploy or runtime (not the record): never dead-lettered, the worker stops instead."""


class UnverifiedDependency(InfrastructureError):
    """A library we patch is not the one the patches were verified on: refuse to start rather than guess."""
