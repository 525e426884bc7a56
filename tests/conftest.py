"""Tests that need the development data (`bench/devdata.py`) are left out when it is not on this machine,
and named once at the end of the run with how to get it; every other test runs.

A test needs the data when it asks `bench.devdata` for it and the folder is missing (`DevDataMissing`),
while it runs or while its module is collected (parametrized over the seeds): no list to keep up to
date. Where the data is present, or its setting is given (CI), nothing is left out and a missing file
fails the test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator

import pytest

from bench.devdata import HOW_TO_GET, DevDataMissing

LEFT_OUT = pytest.StashKey[list[str]]()
REASON = "needs the development data (see 'left out' at the end)"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[LEFT_OUT] = []


def _leave_out(item: pytest.Item) -> None:
    item.config.stash[LEFT_OUT].append(item.nodeid)
    pytest.skip(REASON)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    except DevDataMissing:
        _leave_out(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    except DevDataMissing:
        _leave_out(item)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
        collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A module that needs the data to be collected at all is left out as a whole."""
    report = yield
    # Collection errors reach this hook as their printed form only; the exception's full name marks ours.
    if report.failed and f"{DevDataMissing.__module__}.{DevDataMissing.__qualname__}" in str(report.longrepr):
        collector.config.stash[LEFT_OUT].append(collector.nodeid)
        report.outcome = "skipped"
        # no line to name: pytest's typing says int, its skip summary prints a None line as the path alone
        report.longrepr = (str(collector.path), None, REASON)  # type: ignore[assignment]
    return report


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    left_out = config.stash[LEFT_OUT]
    if not left_out:
        return
    terminalreporter.section("left out: the development data is not here", sep="=", yellow=True)
    cases = Counter(nodeid.split("[", 1)[0] for nodeid in left_out)  # parametrized cases under their test
    terminalreporter.line("These tests need it and did not run:")
    for test, count in cases.items():
        note = " (the whole module)" if "::" not in test else f" ({count} cases)" if count > 1 else ""
        terminalreporter.line(f"  {test}{note}")
    terminalreporter.line(f"To run them, {HOW_TO_GET}.")
