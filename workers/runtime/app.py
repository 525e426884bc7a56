"""The Faust application: built from `Settings`, with one agent per configured stage."""

from __future__ import annotations

import faust

from workers.kafka import MAX_MESSAGE_BYTES, bootstrap, faust_credentials
from workers.runtime import faust_fetch, faust_fixes
from workers.runtime.agents import register_agents
from workers.runtime.metrics import Metrics
from workers.runtime.tables import OnePartitionGlobalTable
from workers.runtime.web import register_pages
from workers.settings import Settings

# Bytes per producer batch (one per partition): aiokafka holds one open batch per partition and a
# send that finds it full waits for the broker to take it. Faust's 16 KiB default held two or three
# ~6 KB events, so the dedup writer waited a round trip every few events (bench.dedup_kafka); 512
# KiB stays below the broker's default `message.max.bytes` (1 MiB) for topics we do not configure
# (Faust's changelogs). A batch grows with what it holds: this is a cap, not an allocation.
PRODUCER_BATCH_BYTES = 512 * 1024


def create_app(settings: Settings) -> faust.App:
    # Gap filling is needed only where offsets can hold no record (transaction markers).
    faust_fixes.install(fill_gaps=settings.input_transactional)
    faust_fetch.install()
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{server.strip()}" for server in bootstrap(settings).split(",")],
        broker_credentials=faust_credentials(settings),
        store="rocksdb://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        processing_guarantee=settings.processing_guarantee,
        broker_commit_interval=settings.commit_interval_seconds,
        broker_session_timeout=settings.session_timeout_seconds,
        producer_max_request_size=MAX_MESSAGE_BYTES,
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=True,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        autodiscover=False,
        GlobalTable=OnePartitionGlobalTable,
    )
    metrics = Metrics()
    register_agents(app, settings, metrics)
    metrics.watch(app, settings)
    register_pages(app, metrics)

    # Records in flight are never re-read, however slow; the wait only has to outlast a fetch that
    # is merely late (a consumer busy on another partition), so a backlog does not cause re-reads.
    stuck_heads = faust_fixes.StuckHeads(after_seconds=2 * settings.stage_timeout_seconds + 5)

    @app.timer(interval=10.0)  # type: ignore[untyped-decorator]
    async def reread_stuck_heads() -> None:
        """Heal a partition whose commit stopped at a record Faust dropped (see faust_fixes)."""
        await stuck_heads.heal(app.consumer)
    return app
