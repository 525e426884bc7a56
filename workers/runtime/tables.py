"""The GlobalTable class of the app (Faust's `GlobalTable` setting): writes to a one-partition
changelog name that partition instead of asking the producer's partitioner.

Why: with `use_partitioner=True` Faust asks aiokafka for the changelog's partitions synchronously
(`Producer.key_partition`, eager partitioning) on every write, and before the producer holds that
topic's metadata — the first profile written after a start, or after a broker restart — aiokafka's
`_partition` raises `TypeError: 'NoneType' object is not iterable` and the worker stops (seen in CI:
the SIGKILL and broker-restart fault tests). A changelog with one partition has one answer, and the
producer's `send` then waits for the metadata itself. Tables with more partitions keep Faust's rule.
"""

from __future__ import annotations

from typing import Any

import faust


class OnePartitionGlobalTable(faust.GlobalTable):
    def partition_for_key(self, key: Any) -> int | None:
        if self.partitions == 1:
            return 0
        result: int | None = super().partition_for_key(key)
        return result
