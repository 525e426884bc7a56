"""`Metrics.routed` counts from the `Outcome` alone (no parse of the record) and keeps each app's children apart."""

from __future__ import annotations

from workers.runtime.metrics import Metrics
from workers.runtime.steps import Outcome


def test_duplicates_are_counted_from_the_outcomes_status() -> None:
    metrics = Metrics()
    for status in ["unique", "near", "near", "exact"]:
        metrics.routed("dedup", Outcome("a", b"not json at all", duplicate=status))
    metrics.routed("tag", Outcome("b", b"{}"))
    sample = metrics.registry.get_sample_value
    assert sample("news_ingest_duplicates_total", {"status": "near"}) == 2
    assert sample("news_ingest_duplicates_total", {"status": "unique"}) == 1
    assert sample("news_ingest_records_out_total", {"stage": "dedup"}) == 4
    assert sample("news_ingest_records_out_total", {"stage": "tag"}) == 1


def test_two_apps_metrics_do_not_share_counts() -> None:
    first, second = Metrics(), Metrics()
    first.routed("tag", Outcome("a", b"{}"))
    first.routed("tag", Outcome("b", b"{}"))
    second.routed("tag", Outcome("c", b"{}"))
    assert first.registry.get_sample_value("news_ingest_records_out_total", {"stage": "tag"}) == 2
    assert second.registry.get_sample_value("news_ingest_records_out_total", {"stage": "tag"}) == 1
