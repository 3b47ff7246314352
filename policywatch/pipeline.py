"""The composition root: builds the store, the bus (embedded broker if none is configured) and the
three consumer stages from Settings, and runs crawls. Used by the daemon, the demo and the tests."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from alerts.channels import build_channels
from alerts.delivery import Deliverer, DeliveryReport, DeliveryWorker, RetryPolicy, mirrors_from_settings
from alerts.rate_limits import RateLimits
from alerts.subscriptions import load_subscriptions_file, sync_subscriptions
from alerts.templating import AlertTemplates
from alerts.unsubscribe import UnsubscribeLinks
from consumers.alert_stage import AlertStage
from consumers.classify_stage import ClassifyStage
from consumers.conflicts import retry_on_conflict
from consumers.stage_runner import Stage, StageRunner
from consumers.store_stage import StoreStage
from consumers.warm_up import warm_up
from core.bus import BusConfig, EventProducer, ensure_topics
from core.consumer_lag import export_lag, group_lag, partition_lag
from core.embedded_broker import EmbeddedBroker
from core.errors import DatabaseUnavailable, PolicywatchError, StartupError
from core.events import CONSUMER_GROUPS
from core.metrics import Metrics
from core.settings import Settings
from crawlers.catalog import load_sources
from crawlers.runner import CrawlResult, run_crawl
from policywatch.crawl_runs import end_interrupted_runs, heartbeat, process_exists, this_owner
from policywatch.source_health import SourceHealth
from storage.crawl_state import load_crawl_state, save_crawl_report
from storage.db import describe_url, make_engine, migrate, schema_is_current, session_factory, transaction
from storage.models import Change, CrawlRun, Delivery, Source

log = logging.getLogger(__name__)

# What a Pipeline can run; `policywatch run` runs them all in one process, each role command one of them.
PARTS = frozenset({"classify", "store", "alert", "deliver"})


@dataclass(frozen=True)
class PipelineState:
    """What `policywatch status` needs to find a running daemon's broker."""

    bootstrap_servers: list[str]
    topic_prefix: str
    group_prefix: str
    partitions: int
    pid: int
    web_url: str
    broker_pid: int | None = None


class Pipeline:
    """Everything between the sites and the subscribers, started and stopped as one unit."""

    def __init__(self, settings: Settings, metrics: Metrics | None = None,
                 console_stream: IO[str] | None = None, parts: frozenset[str] = PARTS) -> None:
        """``parts``: the stages (and the deliverer) this process runs; all of them is the single-machine
        daemon, which may start the embedded broker and migrates the database. A process running only
        some of them is one of several sharing a broker and a database: it needs
        ``kafka.bootstrap_servers`` and a database already at the current schema (``policywatch db upgrade``)."""
        unknown = set(parts) - PARTS
        if unknown:
            raise ValueError(f"unknown pipeline parts {sorted(unknown)}")
        self.parts = frozenset(parts)
        self.settings = settings
        self.metrics = metrics or Metrics()
        self._console_stream = console_stream
        self.engine = make_engine(settings.database_url, echo=settings.database.echo)
        self.factory = session_factory(self.engine)
        self.broker: EmbeddedBroker | None = None
        self.bus: BusConfig | None = None
        self.producer: EventProducer | None = None
        self.runners: list[StageRunner] = []
        self.store_stage: StoreStage | None = None
        self.deliverer: Deliverer | None = None
        self.delivery_worker: DeliveryWorker | None = None
        self.sources = load_sources(settings.crawl.sources_dirs, settings.crawl.simulator_url)
        # Set on shutdown: running crawls stop within seconds (outcome "cancelled").
        self.stopping = threading.Event()
        self._web_url = ""
        # Further Scrapy ``-s`` overrides for every crawl (tests make the simulator crawl fast).
        self.extra_crawl_settings: dict[str, str] = {}
        self.source_health: SourceHealth | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def all_in_one(self) -> bool:
        return self.parts == PARTS

    def start(self, web_url: str = "") -> Pipeline:
        settings = self.settings
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        servers = list(settings.kafka.bootstrap_servers)
        if not self.all_in_one and not servers:
            raise StartupError(
                "a role running in a process of its own needs a shared broker; the embedded one is only for "
                "`policywatch run`", setting="kafka.bootstrap_servers",
            )
        try:
            if self.all_in_one:
                migrate(self.engine)
            elif not schema_is_current(self.engine):
                raise StartupError(
                    f"the database {describe_url(settings.database_url)} is not at this version's schema: "
                    "run `policywatch db upgrade` first", setting="database.url",
                )
            # These write: a database that is read-only, full or locked says so here, at start.
            retry_on_conflict(self._sync_sources, "source sync")  # roles starting together race here
            end_interrupted_runs(self.factory)
            if settings.alerts.subscriptions_file is not None:
                specs = load_subscriptions_file(settings.alerts.subscriptions_file)

                def sync() -> None:
                    with transaction(self.factory) as session:
                        sync_subscriptions(session, specs)

                retry_on_conflict(sync, "subscription sync")
                log.info("synced %d subscriptions from %s", len(specs), settings.alerts.subscriptions_file)
        except DatabaseUnavailable as exc:
            where = describe_url(settings.database_url)
            raise StartupError(f"cannot use the database {where}: {exc}", setting="database.url") from exc
        except OperationalError as exc:
            where = describe_url(settings.database_url)
            raise StartupError(f"cannot use the database {where}: {str(exc).splitlines()[0]}",
                               setting="database.url") from exc
        if not servers:
            self._reap_stale_broker()
            self.broker = EmbeddedBroker(log_file=settings.var_dir / "broker.log").start()
            servers = [self.broker.bootstrap]
        self.bus = BusConfig.from_settings(settings.kafka, servers)
        ensure_topics(self.bus)
        self.metrics.broker_up.set(1)
        self.producer = EventProducer(self.bus, "policywatch")
        base_url = settings.alerts.public_base_url or web_url
        channels = build_channels(settings.alerts, console_stream=self._console_stream)
        # Any process that crawls (the daemon, a crawl worker, a backfill) checks the source's health after.
        self.source_health = SourceHealth(
            self.factory, self.metrics, channels, settings.alerts.operator_email, settings.alerts.operator_webhook
        )
        wake: Callable[[], None] = _nothing  # a deliverer in another process finds new deliveries on its own
        if "deliver" in self.parts:
            self.deliverer = Deliverer(
                channels, RetryPolicy.from_settings(settings.alerts),
                mirrors=mirrors_from_settings(settings.alerts, channels),
                metrics=self.metrics,
                links=UnsubscribeLinks.from_settings(settings.alerts),
                limits=RateLimits(settings.alerts.rate_limits),
                templates=AlertTemplates(settings.alerts.templates_dir),
            )
            self.delivery_worker = DeliveryWorker(self.deliverer, self.factory, settings.alerts.deliver_interval_seconds)
            wake = self.delivery_worker.wake
        stages: list[Stage] = []
        if "classify" in self.parts:
            stages.append(ClassifyStage(self.producer))
        if "store" in self.parts:
            self.store_stage = StoreStage(
                self.factory, self.producer, self.metrics, settings.crawl.removed_after_missing
            )
            stages.append(self.store_stage)
        if "alert" in self.parts:
            stages.append(AlertStage(self.factory, wake, base_url, self.metrics))
        self.runners = [StageRunner(stage, self.bus, self.producer, self.metrics).start() for stage in stages]
        if stages:  # while their consumers join, so the first documents do not wait for it
            warm_up(analysis="classify" in self.parts or "store" in self.parts, search="store" in self.parts)
        if self.delivery_worker is not None:
            self.delivery_worker.start()
        self._web_url = web_url
        if self.all_in_one:
            self._write_state(web_url)
        # The embedded broker started empty: whatever this store had in flight before is gone.
        self.relay_outbox(lost_in_flight=self.broker is not None)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for runner in self.runners:
            runner.stop()
        if self.delivery_worker is not None:
            self.delivery_worker.stop()
        if self.producer is not None:
            self.producer.close()
        if self.broker is not None:
            self.broker.stop()
        if self.all_in_one and self.settings.runtime_file.exists():
            self.settings.runtime_file.unlink()
        self.engine.dispose()

    def __enter__(self) -> Pipeline:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- work ------------------------------------------------------------------------------------
    def crawl(self, source_id: str, backfill_pages: int = 0) -> CrawlResult:
        """Run one crawl of one source and record how it went (``backfill_pages``: see ``run_crawl``)."""
        assert self.bus is not None, "start() the pipeline first"
        if self.stopping.is_set():
            return CrawlResult(source_id, False, "cancelled", {}, "not started: shutting down", 0.0)
        with transaction(self.factory) as session:
            run = CrawlRun(source_id=source_id, owner=this_owner(), heartbeat_at=datetime.now(UTC))
            session.add(run)
            session.flush()
            run_id = run.id
            state = load_crawl_state(session, source_id)
        with heartbeat(self.factory, run_id):
            result = run_crawl(
                source_id,
                settings=self.settings,
                bus=self.bus,
                timeout_s=self.settings.crawl.crawl_timeout_seconds,
                stop_event=self.stopping,
                state=state,
                extra_settings=self.extra_crawl_settings,
                backfill_pages=backfill_pages,
            )
        with transaction(self.factory) as session:
            if result.state_report is not None:
                save_crawl_report(session, result.state_report)
            run = session.get(CrawlRun, run_id)
            assert run is not None
            run.finished_at = datetime.now(UTC)
            run.outcome = result.outcome
            run.stats = json.loads(json.dumps(result.stats, default=str))
            run.error = result.error or ""
        self.metrics.crawls.labels(source_id, result.outcome).inc()
        self.metrics.crawl_pages.labels(source_id).inc(int(result.stats.get("items", 0) or 0))
        for cap, hits in (result.stats.get("caps") or {}).items():
            self.metrics.crawl_caps.labels(source_id, cap).inc(hits)
        level = logging.INFO if result.ok else logging.WARNING
        log.log(level, "crawl of %s: %s %s", source_id, result.outcome, result.error or "")
        if self.source_health is not None:
            self.source_health.after_crawl(source_id, run_id)
        return result

    def relay_outbox(self, lost_in_flight: bool = False) -> int:
        """Publish changes whose event never reached the broker (e.g. it restarted), and changes the alert
        stage never handled: all of them when ``lost_in_flight`` (this process's start, the embedded broker
        restarted), otherwise those published more than ``alerts.realert_after_seconds`` ago. A store's job."""
        if self.store_stage is None:
            return 0
        settle = 0.0 if lost_in_flight else self.settings.alerts.realert_after_seconds
        try:
            return self.store_stage.publish_outbox(unalerted_before=datetime.now(UTC) - timedelta(seconds=settle))
        except PolicywatchError as exc:
            log.warning("outbox relay failed: %s", exc)
            return 0

    def supervise_broker(self) -> bool:
        """Restart the embedded broker if it died; returns True when it had to be restarted.

        Tansu keeps nothing across a restart, so topics are created again, the producer is rebuilt
        and the outbox relayed; pages that were in flight are fetched again by the next crawl.
        """
        broker = self.broker
        if broker is None or broker.alive() or self.stopping.is_set():
            return False
        assert self.bus is not None and self.producer is not None
        self.metrics.broker_up.set(0)
        log.error("embedded broker died; restarting it on %s", broker.bootstrap)
        broker.start()
        ensure_topics(self.bus)
        self.producer.reconnect()
        self.metrics.broker_up.set(1)
        self._write_state(self._web_url)
        self.relay_outbox(lost_in_flight=True)
        return True

    def deliver_due(self) -> DeliveryReport:
        """One delivery pass now (the worker thread makes them on its own; tests and the CLI call this)."""
        assert self.deliverer is not None
        return self.deliverer.deliver_due(self.factory)

    def wake_deliverer(self) -> None:
        """Tell the deliverer new deliveries are due (scheduled alert jobs call this after committing)."""
        if self.delivery_worker is not None:
            self.delivery_worker.wake()

    def delivery_health(self) -> str:
        """"ok", or why alerts are not going out (the last attempts failed, or the deliverer stopped)."""
        worker = self.delivery_worker
        if worker is None or not worker.running:
            return "stopped"
        if worker.last_error:
            return f"degraded: delivery pass failed: {worker.last_error[:300]}"
        health = worker.deliverer.health
        if health.consecutive_failures:
            return f"degraded: {health.consecutive_failures} delivery attempts failed in a row, last: {health.last_error[:300]}"
        return "ok"

    def broker_reachable(self, timeout_s: float = 1.0) -> bool:
        """A TCP connection to a bootstrap server succeeds (what /readyz asks of the broker)."""
        assert self.bus is not None
        for server in self.bus.bootstrap_servers:
            host, _, port = server.rpartition(":")
            try:
                with socket.create_connection((host, int(port)), timeout=timeout_s):
                    return True
            except (OSError, ValueError):
                continue
        return False

    def lag(self) -> dict[str, int]:
        assert self.bus is not None
        return group_lag(self.bus, CONSUMER_GROUPS)

    def export_lag(self) -> None:
        """Set ``policywatch_consumer_lag`` per group and partition (the daemon does it on a schedule)."""
        assert self.bus is not None
        export_lag(self.metrics, partition_lag(self.bus, CONSUMER_GROUPS))

    def wait_ready(self, timeout_s: float = 30.0) -> bool:
        """Block until every stage has been assigned its partitions (a group's first join takes ~3 s), so a
        crawl started now is handled at once rather than after the join; False if that took too long
        (nothing is lost then: the stages pick up the events when they join)."""
        deadline = time.monotonic() + timeout_s
        for runner in self.runners:
            if not runner.joined.wait(max(0.0, deadline - time.monotonic())):
                log.warning("stage %s has not joined its group after %.0f s; continuing", runner.stage.name, timeout_s)
                return False
        return True

    def wait_idle(self, timeout_s: float = 60.0, settle_s: float = 0.5) -> None:
        """Block until every stage has consumed everything and nothing waits in outbox or delivery."""
        deadline = time.monotonic() + timeout_s
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            busy = sum(self.lag().values()) + self._pending_work()
            if busy == 0:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle_s:
                    return
            else:
                quiet_since = None
            time.sleep(0.1)
        raise TimeoutError(f"pipeline not idle after {timeout_s}s: lag={self.lag()}")

    def _pending_work(self) -> int:
        with transaction(self.factory) as session:
            changes = session.scalars(select(Change.id).where(Change.published_at.is_(None))).all()
            # Deliveries due now or being sent; those scheduled for a later retry are not "work in hand".
            now = datetime.now(UTC)
            deliveries = session.scalars(
                select(Delivery.id).where(
                    (Delivery.status == "sending")
                    | ((Delivery.status == "pending") & (Delivery.next_attempt_at <= now))
                )
            ).all()
        return len(changes) + len(deliveries)

    def _sync_sources(self) -> None:
        with transaction(self.factory) as session:
            for source in self.sources:
                row = session.get(Source, source.id) or Source(id=source.id)
                row.name = source.name
                row.region = source.region
                row.layout = source.layout
                row.definition = {
                    "list_urls": list(source.list_urls),
                    "file": str(source.path),
                    "verification": source.verification.status,
                    "interval_minutes": source.interval_minutes,
                }
                row.updated_at = datetime.now(UTC)
                session.add(row)

    def _reap_stale_broker(self) -> None:
        """Stop an embedded broker left behind by a daemon that was killed (SIGKILL, OOM)."""
        path = self.settings.runtime_file
        if not path.exists():
            return
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return
        owner, broker_pid = state.get("pid"), state.get("broker_pid")
        if not broker_pid or (owner and process_exists(owner)):
            return
        if process_exists(broker_pid) and "tansu" in _command_line(broker_pid):  # never a recycled pid
            log.warning("stopping embedded broker %d left behind by daemon %s", broker_pid, owner)
            os.kill(broker_pid, signal.SIGTERM)

    def _write_state(self, web_url: str) -> None:
        assert self.bus is not None
        state = PipelineState(
            bootstrap_servers=list(self.bus.bootstrap_servers),
            topic_prefix=self.bus.topic_prefix,
            group_prefix=self.bus.group_prefix,
            partitions=self.bus.partitions,
            pid=os.getpid(),
            web_url=web_url,
            broker_pid=self.broker.pid if self.broker is not None else None,
        )
        self.settings.runtime_file.write_text(json.dumps(state.__dict__, indent=2), encoding="utf-8")


def _nothing() -> None:
    """Waking a deliverer that runs in another process: it finds the new deliveries on its next pass."""


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
