"""`news-ingest replay`: send dead-lettered inputs back into the pipeline after a fix, keeping their ids."""

from __future__ import annotations

import asyncio
from typing import Any

import click
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from workers.cli.common import load_settings, reach_broker, require_cluster
from workers.kafka import MAX_MESSAGE_BYTES, aiokafka_options, started
from workers.records import deadletter_input
from workers.settings import Settings
from workers.topics import stage_topics


def matches(event: dict[str, Any], stages: tuple[str, ...], reasons: tuple[str, ...]) -> bool:
    return (not stages or event.get("stage") in stages) and (not reasons or event["error"]["type"] in reasons)


async def replay_deadletters(settings: Settings, *, stages: tuple[str, ...] = (), reasons: tuple[str, ...] = (),
                             dry_run: bool = False) -> dict[str, int]:
    """Re-send every matching dead letter's original bytes to the topic its failing stage reads.

    An `extract` failure goes back to the raw topic; a later stage's failure goes back to that
    stage's input topic, so the record resumes where it failed. Reads up to the end offsets seen
    at start, so records dead-lettered again during the replay are not replayed in a loop.
    """
    sources = {stage: topics.source for stage, topics in stage_topics(settings).items()}
    consumer = AIOKafkaConsumer(settings.topic_deadletter, **aiokafka_options(settings), group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_bytes=MAX_MESSAGE_BYTES)
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", enable_idempotence=True,
                                max_request_size=MAX_MESSAGE_BYTES)
    counts = {"read": 0, "replayed": 0}
    async with started(consumer), started(producer):
        for _ in range(50):
            if consumer.assignment():
                break
            await asyncio.sleep(0.2)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        break
                    counts["read"] += 1
                    event = orjson.loads(record.value)
                    if matches(event, stages, reasons):
                        counts["replayed"] += 1
                        if not dry_run:
                            await producer.send(sources[event["stage"]], value=deadletter_input(event),
                                                key=str(event["id"]).encode())
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        await producer.flush()
    return counts


@click.command()
@click.option("--stage", "stages", multiple=True, type=click.Choice(["extract", "normalize", "tag", "dedup"]),
              help="Only dead letters of this stage (repeatable).")
@click.option("--reason", "reasons", multiple=True, help="Only dead letters with this error type (repeatable).")
@click.option("--dry-run", is_flag=True, help="Count what would be replayed; send nothing.")
def replay(stages: tuple[str, ...], reasons: tuple[str, ...], dry_run: bool) -> None:
    """Re-send dead-lettered records (all, or by stage/reason) to the pipeline, keeping their ids."""
    settings = load_settings()
    require_cluster(settings)

    async def main() -> dict[str, int]:
        await reach_broker(settings)
        return await replay_deadletters(settings, stages=stages, reasons=reasons, dry_run=dry_run)

    counts = asyncio.run(main())
    verb = "would replay" if dry_run else "replayed"
    click.echo(f"read {counts['read']} dead letter(s), {verb} {counts['replayed']}", err=True)
