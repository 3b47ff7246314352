"""Consumer lag per group and partition, for the ``policywatch_consumer_lag`` gauge.

``group_lag`` sums a group's lag for status and idleness checks; a dashboard (and an autoscaler) needs it
per partition (``partition_lag``), where a stuck partition shows while the others drain. Both read with a
separate admin client, so they are safe to call while the stages' own consumers run in other threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafka import TopicPartition
from kafka.errors import KafkaError

from core.bus import BusConfig, _admin
from core.errors import BusUnavailable
from core.metrics import Metrics


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    lag: int


def partition_lag(config: BusConfig, stages: dict[str, str]) -> list[PartitionLag]:
    """Messages not yet committed by each stage's group, per partition of its topic."""
    from kafka.admin import OffsetSpec

    admin = _admin(config, "policywatch-lag", bootstrap_timeout_ms=5000)
    try:
        found: list[PartitionLag] = []
        for stage, logical in stages.items():
            topic, group = config.topic(logical), config.group(stage)
            tps = [TopicPartition(topic, p) for p in range(config.partitions)]
            ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
            committed = admin.list_group_offsets({group: tps}).get(group, {})
            for tp in tps:
                done = committed.get(tp)
                position = done.offset if done is not None and done.offset >= 0 else 0
                found.append(PartitionLag(group, topic, tp.partition, max(ends[tp].offset - position, 0)))
        return found
    except KafkaError as exc:
        raise BusUnavailable(f"cannot read consumer lag: {exc}") from exc
    finally:
        admin.close()


def group_lag(config: BusConfig, stages: dict[str, str]) -> dict[str, int]:
    """Uncommitted messages per stage ({stage: logical topic}), summed over the topic's partitions."""
    totals = dict.fromkeys(stages, 0)
    groups = {config.group(stage): stage for stage in stages}
    for entry in partition_lag(config, stages):
        totals[groups[entry.group]] += entry.lag
    return totals


def export_lag(metrics: Metrics, lags: list[PartitionLag]) -> None:
    for entry in lags:
        metrics.consumer_lag.labels(entry.group, entry.topic, str(entry.partition)).set(entry.lag)
