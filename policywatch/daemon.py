"""`policywatch run`: every role in one process — the pipeline (the three stages and the deliverer), the
crawl schedule (``policywatch.crawl_schedule``, crawling here rather than publishing requests) and the
web endpoints — until SIGTERM or Ctrl-C. ``policywatch.roles`` runs the same parts one per process.

Crawls run as one subprocess each (see crawlers.runner): the Twisted reactor cannot be restarted
inside a long-lived process, and a subprocess also isolates a crawl's memory and crashes. APScheduler
runs one job per source (interval plus jitter, never two at once for one source, missed runs
coalesced), an outbox relay and the broker supervisor; deliveries have their own thread (the pipeline's).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from core.errors import PolicywatchError
from core.settings import Settings
from policywatch.alert_jobs import AlertJobs
from policywatch.crawl_schedule import LAG_EXPORT_SECONDS, enabled_sources, new_scheduler, schedule_crawls
from policywatch.foreground import ForegroundProcess
from policywatch.pipeline import Pipeline
from policywatch.web import WebServer, app_from_settings

log = logging.getLogger(__name__)


class Daemon(ForegroundProcess):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = Pipeline(settings)
        self.scheduler = new_scheduler()
        self.web: WebServer | None = None
        self._stop = threading.Event()

    def health(self) -> dict[str, Any]:
        """Every part's state: "ok", or what is wrong with it (/healthz is 503 unless all are ok)."""
        checks: dict[str, Any] = {
            "scheduler": "ok" if self.scheduler.running else "stopped",
        }
        for runner in self.pipeline.runners:
            checks[f"stage_{runner.stage.name}"] = runner.health()
        if self.pipeline.broker is not None:
            checks["broker"] = "ok" if self.pipeline.broker.alive() else "down"
        checks["deliveries"] = self.pipeline.delivery_health()
        return checks

    def readiness(self) -> dict[str, Any]:
        """What an orchestrator waits for before sending traffic: broker reachable, stages started
        (the database's reachability and schema are checked by /readyz itself)."""
        pipeline = self.pipeline
        started = bool(pipeline.runners) and all(runner.running for runner in pipeline.runners)
        return {
            "broker": "ok" if pipeline.bus is not None and pipeline.broker_reachable() else "unreachable",
            "stages": "ok" if started else "not started",
        }

    def start(self) -> None:
        web_url = ""
        if self.settings.web.enabled:
            app = app_from_settings(self.settings, self.pipeline.factory, self.pipeline.metrics,
                                    self.health, self.readiness)
            self.web = WebServer(app, self.settings.web.host, self.settings.web.port).start()
            web_url = self.web.url
        try:
            self.pipeline.start(web_url=web_url)
        except BaseException:
            self.stop()
            raise
        self.pipeline.wait_ready()  # the first crawl's pages are handled at once, not after the groups' join
        sources = enabled_sources(self.settings, self.pipeline.sources)
        # The scheduler role, dispatching to a crawl in this process instead of a crawl request.
        schedule_crawls(self.scheduler, self.settings, sources, self._crawl_job)
        self.scheduler.add_job(self.pipeline.relay_outbox, "interval", seconds=30, id="outbox-relay")
        self.scheduler.add_job(self._supervise_broker, "interval", seconds=5, id="broker-supervisor")
        self.scheduler.add_job(self._export_lag, "interval", seconds=LAG_EXPORT_SECONDS, id="lag-export")
        AlertJobs(self.pipeline.factory, self.settings.alerts,
                  self.settings.alerts.public_base_url or web_url, self.pipeline.wake_deliverer).schedule(self.scheduler)
        self.scheduler.start()
        log.info("policywatch running: %d sources scheduled; web %s", len(sources), web_url or "off")

    def _crawl_job(self, source_id: str) -> None:
        try:
            self.pipeline.crawl(source_id)
        except PolicywatchError as exc:
            log.warning("crawl of %s failed: %s (next try on schedule)", source_id, exc)

    def _export_lag(self) -> None:
        try:
            self.pipeline.export_lag()
        except PolicywatchError as exc:
            log.debug("consumer lag not exported: %s", exc)

    def _supervise_broker(self) -> None:
        try:
            self.pipeline.supervise_broker()
        except PolicywatchError as exc:
            log.error("embedded broker could not be restarted: %s (next try in 5 s)", exc)

    def stop(self) -> None:
        log.info("stopping: finishing in-flight work")
        self.pipeline.stopping.set()  # running crawls end within seconds, as "cancelled"
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.pipeline.stop()
        if self.web is not None:
            self.web.stop()
        log.info("stopped")
