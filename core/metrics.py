"""Prometheus metrics of the daemon (prometheus-client), in one registry passed to components."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


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
