"""Prometheus metrics for the stage agents: counted where records are routed, lag read at scrape time.

Each app owns its registry (not the process-global one), so several apps can live in one test
process. Names follow Prometheus conventions (`_total` counters, `_seconds` histograms). Counting
runs in the event loop once per record: it reads the `Outcome` (no parse of the record) and keeps
the labelled children (`labels()` hashes and locks on every call).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import faust
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from workers.errors import StageCrashed
from workers.runtime.steps import Outcome
from workers.settings import Settings
from workers.topics import stage_topics

DEDUP_TABLE = "dedup-index"
STAGE_CRASHED = StageCrashed.reason

# Stage work spans milliseconds (dedup) to the stage time limit (extraction of hostile pages).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)


class Metrics:
    """The worker's metric families, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.records_in = Counter("news_ingest_records_in_total", "Records a stage consumed.",
                                  ["stage"], registry=self.registry)
        self.records_out = Counter("news_ingest_records_out_total", "Records a stage sent to its next topic.",
                                   ["stage"], registry=self.registry)
        self.deadlettered = Counter("news_ingest_deadlettered_total",
                                    "Records a stage sent to the dead-letter topic, by error type.",
                                    ["stage", "reason"], registry=self.registry)
        self.latency = Histogram("news_ingest_processing_seconds",
                                 "Time from consuming a record to routing its outcome.",
                                 ["stage"], buckets=LATENCY_BUCKETS, registry=self.registry)
        # A code error of ours on this input (a bug to fix, then `news-ingest replay --reason stage_crashed`),
        # apart from the bad-input reasons that `deadlettered` counts too: one alert rule watches only this.
        self.stage_crashed = Counter("news_ingest_stage_crashed_total",
                                     "Records dead-lettered as stage_crashed: the stage raised an unexpected "
                                     "error (a code bug, not a bad page).", ["stage"], registry=self.registry)
        self.duplicates = Counter("news_ingest_duplicates_total",
                                  "Enriched records by duplicate.status (unique, exact, near).",
                                  ["status"], registry=self.registry)
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def routed(self, stage: str, outcome: Outcome) -> None:
        """Count one outcome: out or dead-lettered (by reason), its latency and, from the dedup stage,
        its duplicate status (`Outcome.duplicate`). Called by the agents' `route`, once per consumed record."""
        started = _consumed_at()
        if started is not None:
            self.labelled(self.latency, stage).observe(max(0.0, time.monotonic() - started))
        if outcome.deadletter is not None:
            reason = str(outcome.deadletter["error"]["type"])
            self.labelled(self.deadlettered, stage, reason).inc()
            if reason == STAGE_CRASHED:
                self.labelled(self.stage_crashed, stage).inc()
            return
        self.labelled(self.records_out, stage).inc()
        if outcome.duplicate is not None:
            self.labelled(self.duplicates, outcome.duplicate).inc()

    def labelled(self, family: Any, *labels: str) -> Any:
        """`family.labels(*labels)`, looked up once per family and label values (bounded: stages, reasons)."""
        key = (id(family), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = family.labels(*labels)
        return child

    def watch(self, app: faust.App, settings: Settings) -> None:
        """Count records in as the app's streams take them, and report lag and index size when scraped."""
        app.sensors.add(StageSensor(self, {t.source: stage for stage, t in stage_topics(settings).items()}))
        self.registry.register(FaustCollector(app))


def _consumed_at() -> float | None:
    """When the consumer handed over the record the current agent is processing (Faust's monotonic
    clock, set by its monitor), so `route` needs no timing argument."""
    event = faust.current_event()
    return getattr(event.message, "time_in", None) if event is not None else None


class StageSensor(faust.Sensor):
    """Counts each record a stage's source stream takes in (repartition and changelog topics are not
    stage sources and are skipped)."""

    def __init__(self, metrics: Metrics, stage_of_source: dict[str, str]) -> None:
        super().__init__()
        self._metrics = metrics
        self._stage_of_source = stage_of_source

    def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> dict[str, Any] | None:
        stage = self._stage_of_source.get(tp.topic)
        if stage is not None:
            self._metrics.labelled(self._metrics.records_in, stage).inc()
        return None


class FaustCollector(Collector):
    """Gauges computed from the app's live state at scrape time, so they are never stale."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = GaugeMetricFamily("news_ingest_consumer_lag",
                                "Messages between the partition's end and the group's committed offset.",
                                labels=["topic", "partition"])
        for (topic, partition), value in consumer_lag(self._app).items():
            lag.add_metric([topic, str(partition)], value)
        yield lag
        size = GaugeMetricFamily("news_ingest_dedup_index_size",
                                 "Keys in the dedup index for the partitions this worker owns (estimate).")
        estimate = dedup_index_size(self._app)
        if estimate is not None:
            size.add_metric([], estimate)
        yield size


def consumer_lag(app: Any) -> dict[tuple[str, int], int]:
    """Lag per assigned source partition: highwater (next offset to be written) minus committed offset.

    Changelog partitions are left out: they are state, not work. A partition with nothing committed
    yet counts from its first read offset, else it is not reported.
    """
    try:
        consumer = app.consumer
        assignment = consumer.assignment()
    except Exception:  # not started yet: there is no consumer to ask (a scrape must not fail)  # noqa: BLE001
        return {}
    committed = app.monitor.tp_committed_offsets if app.monitor is not None else {}
    read = app.monitor.tp_read_offsets if app.monitor is not None else {}
    lags: dict[tuple[str, int], int] = {}
    for tp in assignment:
        if tp.topic.endswith("-changelog"):
            continue
        try:
            highwater = consumer.highwater(tp)
        except Exception:  # the fetcher has not seen this partition yet  # noqa: S112, BLE001
            continue
        position = committed.get(tp)
        if position is None and read.get(tp) is not None:
            position = read[tp] + 1
        if highwater is None or position is None:
            continue
        lags[(tp.topic, tp.partition)] = max(0, int(highwater) - int(position))
    return lags


def dedup_index_size(app: Any) -> int | None:
    """RocksDB's key estimate over the index partitions this worker holds (O(1), unlike `len`)."""
    table = app.tables.get(DEDUP_TABLE) if hasattr(app, "tables") else None
    if table is None:
        return None
    store = table.data
    dbs = getattr(store, "_dbs_for_actives", None)
    if dbs is None:  # memory store (tests, `enrich`): counting is cheap
        return len(table)
    try:
        return sum(int(db.property_int_value("rocksdb.estimate-num-keys") or 0) for db in dbs())
    except AttributeError:  # python-rocksdb driver instead of rocksdict
        return len(table)
