"""The process roles: `policywatch scheduler`, `crawl-worker`, `stage classify|store|alert`, `deliver` and
`web`, each one part of the daemon in a process of its own. Any number of each, on any machine, sharing
one Kafka cluster and one PostgreSQL database; Kafka consumer groups share the work of a stage between
its instances, the database keeps them from doing one piece twice (``storage.domain_slots``, the row
lock and unique keys of the store, the delivery claim).

Every role serves ``/healthz``, ``/readyz`` and ``/metrics`` on ``web.host:web.port`` (when
``web.enabled``; the `web` role also serves the archive there), stops cleanly on SIGTERM or Ctrl-C
(finishing the record in hand; a crawl in progress is abandoned and its request left uncommitted), and
ends with one line on a startup problem. The scheduler also runs the lifecycle check, the digests and the
consumer-lag gauge (jobs that are idempotent, so a second scheduler duplicates nothing).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from consumers.stage_runner import StageRunner
from core.errors import PolicywatchError
from core.events import CrawlRequested
from core.settings import Settings
from policywatch.alert_jobs import AlertJobs
from policywatch.crawl_schedule import (
    LAG_EXPORT_SECONDS,
    enabled_sources,
    last_crawls,
    new_scheduler,
    schedule_crawls,
)
from policywatch.crawl_worker import CrawlWorker
from policywatch.foreground import ForegroundProcess
from policywatch.pipeline import Pipeline
from policywatch.web import WebServer, app_from_settings

log = logging.getLogger(__name__)

STAGES = ("classify", "store", "alert")
ROLES = ("scheduler", "crawl-worker", *(f"stage-{stage}" for stage in STAGES), "deliver", "web")


def pipeline_parts(role: str) -> frozenset[str]:
    """The pipeline parts a role runs."""
    if role.startswith("stage-"):
        return frozenset({role.removeprefix("stage-")})
    return frozenset({"deliver"}) if role == "deliver" else frozenset()


class RoleProcess(ForegroundProcess):
    """One role, run until stopped."""

    def __init__(self, settings: Settings, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
        self.role = role
        self.settings = settings
        self.pipeline = Pipeline(settings, parts=pipeline_parts(role))
        self.scheduler = new_scheduler() if role == "scheduler" else None
        self.crawl_runner: StageRunner | None = None
        self.requested = 0
        self.web: WebServer | None = None
        self._stop = threading.Event()
        self._running = False

    # -- health --------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        checks: dict[str, Any] = {"role": "ok"}
        if self.scheduler is not None:
            checks["scheduler"] = "ok" if self.scheduler.running else "stopped"
        runners = list(self.pipeline.runners) + ([self.crawl_runner] if self.crawl_runner else [])
        for runner in runners:
            checks[f"stage_{runner.stage.name}"] = runner.health()
        if self.pipeline.delivery_worker is not None:
            checks["deliveries"] = self.pipeline.delivery_health()
        return checks

    def readiness(self) -> dict[str, Any]:
        pipeline = self.pipeline
        runners = list(pipeline.runners) + ([self.crawl_runner] if self.crawl_runner else [])
        return {
            "broker": "ok" if pipeline.bus is not None and pipeline.broker_reachable() else "unreachable",
            "stages": "ok" if all(runner.running for runner in runners) else "not started",
        }

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> RoleProcess:
        pipeline = self.pipeline
        web_url = ""
        if self.settings.web.enabled:
            app = app_from_settings(self.settings, pipeline.factory, pipeline.metrics, self.health, self.readiness)
            self.web = WebServer(app, self.settings.web.host, self.settings.web.port).start()
            web_url = self.web.url
        try:
            pipeline.start(web_url=web_url)
            assert pipeline.bus is not None and pipeline.producer is not None
            if self.role == "crawl-worker":
                worker = CrawlWorker(pipeline)
                self.crawl_runner = StageRunner(
                    worker, pipeline.bus, pipeline.producer, pipeline.metrics,
                    consumer_options=worker.consumer_options(),
                ).start()
            if self.scheduler is not None:
                sources = enabled_sources(self.settings, pipeline.sources)
                schedule_crawls(self.scheduler, self.settings, sources, self._request_crawl,
                                last=last_crawls(pipeline.factory))
                # Lifecycle alerts and digests are written here; a deliverer elsewhere finds them on its poll.
                AlertJobs(pipeline.factory, self.settings.alerts, self.settings.alerts.public_base_url or web_url,
                          pipeline.wake_deliverer).schedule(self.scheduler)
                self.scheduler.add_job(self._export_lag, "interval", seconds=LAG_EXPORT_SECONDS, id="lag-export")
                self.scheduler.start()
            if pipeline.store_stage is not None:
                self._periodic(30.0, pipeline.relay_outbox)
        except BaseException:
            self.stop()
            raise
        self._running = True
        log.info("policywatch %s running (web %s)", self.role, web_url or "off")
        return self

    def _request_crawl(self, source_id: str) -> None:
        producer = self.pipeline.producer
        assert producer is not None
        try:
            producer.publish(CrawlRequested(source_id=source_id, requested_at=datetime.now(UTC)), trace_id="")
            self.requested += 1
            log.info("crawl of %s requested", source_id)
        except PolicywatchError as exc:
            log.warning("crawl request for %s not published: %s (next try on schedule)", source_id, exc)

    def _export_lag(self) -> None:
        try:
            self.pipeline.export_lag()
        except PolicywatchError as exc:
            log.debug("consumer lag not exported: %s", exc)

    def _periodic(self, interval_s: float, job: Any) -> None:
        def loop() -> None:
            while not self._stop.wait(interval_s):
                job()

        threading.Thread(target=loop, name=f"{self.role}-periodic", daemon=True).start()

    def stop(self) -> None:
        level = logging.INFO if self._running else logging.DEBUG  # a failed start says why in one line
        log.log(level, "stopping %s", self.role)
        self._stop.set()
        self.pipeline.stopping.set()  # a crawl in progress ends within seconds, its request uncommitted
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.crawl_runner is not None:
            self.crawl_runner.stop(timeout_s=15.0)
        self.pipeline.stop()
        if self.web is not None:
            self.web.stop()
        log.log(level, "stopped %s", self.role)

