"""`policywatch run`: the pipeline plus a scheduler of crawls, until SIGTERM or Ctrl-C.

Crawls run as one subprocess each (see crawlers.runner): the Twisted reactor cannot be restarted
inside a long-lived process, and a subprocess also isolates a crawl's memory and crashes. APScheduler
runs one job per source (interval plus jitter, never two at once for one source, missed runs
coalesced), an outbox relay and the broker supervisor; deliveries have their own thread (the pipeline's).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from alerts.channels import build_channels
from core.captures import CaptureConfig
from core.errors import PolicywatchError
from core.settings import Settings
from policywatch.alert_jobs import AlertJobs
from policywatch.pipeline import Pipeline
from policywatch.web import WebServer, create_app

log = logging.getLogger(__name__)


# How often the consumer-lag gauge is refreshed (a Prometheus scrape interval).
LAG_EXPORT_SECONDS = 15


class Daemon:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = Pipeline(settings)
        self.scheduler = BackgroundScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        )
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
            app = create_app(
                self.pipeline.factory, self.pipeline.metrics, self.health, self.readiness,
                captures=CaptureConfig.from_settings(self.settings),
                expiring_days=self.settings.web.expiring_within_days,
                channels=build_channels(self.settings.alerts),  # a subscription's test-send
                allowed_networks=self.settings.alerts.allowed_networks,
                archive_requires_key=self.settings.web.archive_requires_key,
                unsubscribe_secret=self.settings.alerts.unsubscribe_secret.get_secret_value(),
            )
            self.web = WebServer(app, self.settings.web.host, self.settings.web.port).start()
            web_url = self.web.url
        try:
            self.pipeline.start(web_url=web_url)
        except BaseException:
            self.stop()
            raise
        enabled = set(self.settings.crawl.enabled_sources)
        sources = [s for s in self.pipeline.sources if not enabled or s.id in enabled]
        now = datetime.now(UTC)
        for index, source in enumerate(sources):
            minutes = source.interval_minutes or self.settings.crawl.interval_minutes
            self.scheduler.add_job(
                self._crawl_job,
                "interval",
                args=[source.id],
                id=f"crawl:{source.id}",
                minutes=minutes,
                jitter=self.settings.crawl.jitter_seconds,
                next_run_time=now + timedelta(seconds=2 + 3 * index),
            )
        self.scheduler.add_job(self.pipeline.relay_outbox, "interval", seconds=30, id="outbox-relay")
        self.scheduler.add_job(self._supervise_broker, "interval", seconds=5, id="broker-supervisor")
        self.scheduler.add_job(self._export_lag, "interval", seconds=LAG_EXPORT_SECONDS, id="lag-export")
        jobs = AlertJobs(self.pipeline.factory, self.settings.alerts,
                         self.settings.alerts.public_base_url or web_url, self.pipeline.wake_deliverer)
        self.scheduler.add_job(jobs.lifecycle, "interval", minutes=self.settings.alerts.lifecycle_check_minutes,
                               id="lifecycle", next_run_time=now + timedelta(seconds=10))
        # Digest hours are whole local hours: a run every 5 minutes sends each within minutes of its hour.
        self.scheduler.add_job(jobs.digests, "interval", minutes=5, id="digests", next_run_time=now + timedelta(seconds=15))
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

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        self.start()
        try:
            self._stop.wait()
        finally:
            self.stop()

    def stop(self) -> None:
        log.info("stopping: finishing in-flight work")
        self.pipeline.stopping.set()  # running crawls end within seconds, as "cancelled"
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.pipeline.stop()
        if self.web is not None:
            self.web.stop()
        log.info("stopped")
