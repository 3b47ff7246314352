"""Prometheus metrics of the daemon (prometheus-client), in one registry passed to components."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# From sub-second (embedded broker) to a day (a delivery retried through an outage).
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)
FETCHED_TO_STORED = "fetched_to_stored"
STORED_TO_ALERTED = "stored_to_alerted"
ALERTED_TO_DELIVERED = "alerted_to_delivered"
FETCHED_TO_DELIVERED = "fetched_to_delivered"


def seconds_since(moment: datetime) -> float:
    """Seconds from ``moment`` (naive means UTC, as SQLite gives it back) to now; never negative."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max((datetime.now(UTC) - aware).total_seconds(), 0.0)


@dataclass
class Metrics:
    """Every metric policywatch exports; one instance per daemon (tests make their own)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.events_processed = Counter(
            "policywatch_events_processed", "Events handled by a stage", ["stage", "type"], registry=r
        )
        self.events_failed = Counter(
            "policywatch_events_failed", "Events a stage failed on", ["stage", "kind"], registry=r
        )
        self.dead_letters = Counter(
            "policywatch_dead_letters", "Events sent to the dead-letter topic", ["stage"], registry=r
        )
        self.stage_seconds = Histogram(
            "policywatch_stage_seconds", "Time to handle one event", ["stage"], registry=r
        )
        self.crawls = Counter(
            "policywatch_crawls", "Finished crawls by outcome", ["source", "outcome"], registry=r
        )
        self.crawl_pages = Counter(
            "policywatch_crawl_pages", "Detail pages published by crawls", ["source"], registry=r
        )
        self.crawl_caps = Counter(
            "policywatch_crawl_caps", "Caps on hostile input hit by crawls (attachment size, pages, time, memory, text)",
            ["source", "cap"], registry=r,
        )
        self.changes = Counter("policywatch_changes", "Changes detected", ["kind"], registry=r)
        self.deliveries = Counter(
            "policywatch_deliveries", "Alert deliveries by outcome", ["channel", "status"], registry=r
        )
        self.broker_up = Gauge("policywatch_broker_up", "1 when the broker answers", registry=r)
        self.source_problems = Gauge(
            "policywatch_source_problems", "1 while a source shows a problem after its last crawl (captcha, empty_list, layout_changed)",
            ["source", "problem"], registry=r,
        )
        # Page fetched → version stored → alert created → delivery sent, and fetched → delivered end to end.
        self.latency = Histogram(
            "policywatch_latency_seconds", "Time between two steps of a document's way through the pipeline",
            ["span"], registry=r, buckets=LATENCY_BUCKETS,
        )
        self.consumer_lag = Gauge(
            "policywatch_consumer_lag", "Events not yet committed by a consumer group, per partition",
            ["group", "topic", "partition"], registry=r,
        )
