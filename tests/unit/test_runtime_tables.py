"""The app's GlobalTable writes a one-partition changelog without asking the producer for metadata."""

from __future__ import annotations

import faust
import pytest
from faust.types.tables import GlobalTableT

from workers.runtime.tables import OnePartitionGlobalTable


def table(cls: type, partitions: int) -> GlobalTableT:
    app = faust.App("tables-test", broker="kafka://127.0.0.1:1", autodiscover=False, GlobalTable=cls)
    return app.GlobalTable("profiles", default=None, partitions=partitions, use_partitioner=True,
                           store="memory://")


def test_faust_stock_table_asks_the_producer_for_the_partition_on_every_write() -> None:
    # the lookup that raised TypeError in CI when the producer had no metadata for the changelog yet;
    # here the producer is not even started, so asking it fails at once
    stock = table(faust.GlobalTable, 1)
    with pytest.raises(faust.exceptions.NotReady):
        stock.send_changelog(stock.partition_for_key(b"k"), b"k", b"v")


def test_a_one_partition_changelog_is_written_to_partition_zero_without_asking_the_producer() -> None:
    ours = table(OnePartitionGlobalTable, 1)
    assert ours.send_changelog(ours.partition_for_key(b"k"), b"k", b"v").message.partition == 0


def test_tables_with_more_partitions_keep_fausts_partitioner() -> None:
    assert table(OnePartitionGlobalTable, 3).partition_for_key(b"k") is None
