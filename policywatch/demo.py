"""`make demo`: the whole flow offline, against the bundled simulated government sites.

``DemoScenario`` is also what the end-to-end tests drive, so the demo shows exactly what is tested.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.subscriptions import demo_subscriptions_file, load_demo_subscriptions
from core.captures import CaptureConfig
from core.metrics import Metrics
from core.settings import PACKAGE_ROOT, Settings
from crawlers.runner import CrawlResult
from crawlers.simulator import (
    DEMO_REVISION_DOC,
    DEMO_REVISION_SITE,
    NEW_PLAN,
    SimulatedSites,
    demo_revision_text,
)
from policywatch.pipeline import Pipeline
from storage.db import make_engine, session_factory, transaction
from storage.models import Change, Document, DocumentVersion

SIMULATED_SOURCES_DIR = PACKAGE_ROOT / "crawlers" / "sources" / "simulated"


def demo_settings(base: Settings, var_dir: Path, simulator_url: str, **overrides: Any) -> Settings:
    """Settings of a demo/test run: the simulated sources only, a file outbox, a fresh var dir."""
    crawl = base.crawl.model_copy(
        update={
            "sources_dirs": [SIMULATED_SOURCES_DIR],
            "simulator_url": simulator_url,
            "enabled_sources": [],
            "removed_after_missing": 1,
            "retries": 0,
            **overrides.pop("crawl", {}),
        }
    )
    alerts = base.alerts.model_copy(
        update={
            "outbox_file": var_dir / "outbox.jsonl",
            "subscriptions_file": demo_subscriptions_file(),
            "public_base_url": base.alerts.public_base_url or f"http://{base.web.host}:{base.web.port}",
            **overrides.pop("alerts", {}),
        }
    )
    web = base.web.model_copy(update={"enabled": False})
    return base.model_copy(
        update={"var_dir": var_dir, "crawl": crawl, "alerts": alerts, "web": web, **overrides}
    )


@dataclass
class Received:
    """What each subscriber got, read back from the channel's output (the outbox file)."""

    by_subscriber: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def subjects(self, name: str) -> list[str]:
        return sorted(alert["subject"] for alert in self.by_subscriber.get(name, []))

    def total(self) -> int:
        return sum(len(v) for v in self.by_subscriber.values())


class DemoScenario:
    """Simulated sites + the pipeline on a throwaway var dir, with the demo's steps."""

    def __init__(self, base: Settings, var_dir: Path, **overrides: Any) -> None:
        self.var_dir = var_dir
        self.sites = SimulatedSites()
        self._base = base
        self._overrides = overrides
        self.pipeline: Pipeline | None = None
        self._delivered_lines = 0

    @contextmanager
    def running(self) -> Iterator[DemoScenario]:
        if self.var_dir.exists():
            shutil.rmtree(self.var_dir)
        self.var_dir.mkdir(parents=True)
        self.sites.start()
        try:
            settings = demo_settings(self._base, self.var_dir, self.sites.base_url, **self._overrides)
            self.pipeline = Pipeline(settings)
            self.pipeline.start()
            try:
                yield self
            finally:
                self.pipeline.stop()
        finally:
            self.sites.stop()

    @property
    def settings(self) -> Settings:
        assert self.pipeline is not None
        return self.pipeline.settings

    def crawl_all(self, timeout_s: float = 120.0) -> list[CrawlResult]:
        """Crawl every simulated source, then wait until the pipeline has done all the work."""
        pipeline = self.pipeline
        assert pipeline is not None
        # Crawls are subprocesses: three at a time keep two cores busy without thrashing.
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(pipeline.crawl, [source.id for source in pipeline.sources]))
        pipeline.wait_idle(timeout_s=timeout_s)
        return results

    def revise_and_publish(self) -> None:
        """The demo's changes: the 深圳 plan revised (targets raised, a paragraph added), a new plan."""
        current = next(
            d for d in self.sites.list_documents(DEMO_REVISION_SITE) if d["doc_id"] == DEMO_REVISION_DOC
        )
        self.sites.revise(DEMO_REVISION_SITE, DEMO_REVISION_DOC, demo_revision_text(current["text"]))
        self.sites.publish(
            NEW_PLAN.site_id, NEW_PLAN.doc_id, NEW_PLAN.title, NEW_PLAN.text, NEW_PLAN.date,
            NEW_PLAN.doc_number, NEW_PLAN.issuer,
        )

    def received_since_last(self) -> Received:
        """Alerts that reached the outbox since the previous call."""
        outbox = self.settings.alerts.outbox_file
        assert outbox is not None
        lines = outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
        fresh = lines[self._delivered_lines :]
        self._delivered_lines = len(lines)
        received = Received()
        for line in fresh:
            alert = json.loads(line)
            received.by_subscriber[alert["subscription"]["name"]].append(alert)
        return received

    def counts(self) -> dict[str, int]:
        assert self.pipeline is not None
        with transaction(self.pipeline.factory) as session:
            counts = {
                "documents": session.scalar(select(func.count(Document.id))) or 0,
                "versions": session.scalar(select(func.count(DocumentVersion.id))) or 0,
            }
            for kind, count in session.execute(select(Change.kind, func.count(Change.id)).group_by(Change.kind)):
                counts[f"changes.{kind}"] = count
        return counts


def _print_received(out: IO[str], title: str, received: Received, names: list[str]) -> None:
    out.write(f"\n=== {title} ===\n")
    for name in names:
        alerts = received.by_subscriber.get(name, [])
        out.write(f"\n-- 订阅者 subscriber: {name} — {len(alerts)} 条提醒 alerts\n")
        for alert in sorted(alerts, key=lambda a: a["subject"]):
            out.write(f"   {alert['subject']}\n")
            if alert.get("headline"):
                out.write(f"      {alert['headline'][:160]}\n")
    out.flush()


def archive_links(factory: sessionmaker[Session], base_url: str) -> list[tuple[str, str]]:
    """(label, URL) of the archive's pages for what the demo stored: each document, search, targets."""
    base = base_url.rstrip("/")
    links = [("检索 Search", f"{base}/search?q=人工智能"), ("目标对比 Targets", f"{base}/targets?metric=人工智能核心产业规模"),
             ("API", f"{base}/api/v1/docs")]
    with factory() as session:
        for doc_id, title in session.execute(select(Document.id, Document.title).order_by(Document.id)):
            links.append((title, f"{base}/documents/{doc_id}"))
    return links


def _print_links(out: IO[str], links: list[tuple[str, str]]) -> None:
    out.write("\n=== 档案链接 Archive links ===\n")
    for label, url in links:
        out.write(f"{url}  {label}\n")
    out.flush()


def serve_archive(settings: Settings, out: IO[str], stop: threading.Event | None = None) -> None:
    """Serve the web application on the demo's store until Ctrl-C (or ``stop``), printing its links."""
    from policywatch.web import WebServer, create_app

    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    app = create_app(factory, Metrics(), lambda: {}, captures=CaptureConfig.from_settings(settings),
                     expiring_days=settings.web.expiring_within_days)
    server = WebServer(app, settings.web.host, settings.web.port).start()
    try:
        _print_links(out, archive_links(factory, server.url))
        out.write("\n按 Ctrl-C 停止 Press Ctrl-C to stop serving.\n")
        out.flush()
        with suppress(KeyboardInterrupt):
            (stop or threading.Event()).wait()
    finally:
        server.stop()
        engine.dispose()


def run_demo(base: Settings, keep: bool = False, out: IO[str] | None = None, serve: bool = False) -> bool:
    """Run the demo; returns True when every check held. ``serve`` keeps the archive's web application up
    on the demo's data afterwards, until Ctrl-C."""
    import sys

    out = out or sys.stdout
    var_dir = base.var_dir / "demo"
    started = time.monotonic()
    checks: list[tuple[str, bool, str]] = []
    scenario = DemoScenario(base, var_dir)
    with scenario.running():
        names = sorted(_subscriber_names())
        out.write(f"simulated sites on {scenario.sites.base_url}; sources: "
                  f"{', '.join(s.id for s in scenario.pipeline.sources)}\n")  # type: ignore[union-attr]
        results = scenario.crawl_all()
        crawled_ok = all(r.ok for r in results)
        first = scenario.received_since_last()
        counts = scenario.counts()
        _print_received(out, "第一轮抓取 First crawl: five seed plans", first, names)
        checks.append(("5 seed plans stored once each", counts.get("documents") == 5
                       and counts.get("versions") == 5 and crawled_ok, json.dumps(counts)))

        scenario.revise_and_publish()
        out.write("\n>>> 模拟站点修订深圳计划并发布新计划 Sites revise the 深圳 plan and publish a new plan\n")
        scenario.crawl_all()
        second = scenario.received_since_last()
        counts2 = scenario.counts()
        _print_received(out, "第二轮抓取 Second crawl: changes", second, names)
        kinds = sorted(a["kind"] for alerts in second.by_subscriber.values() for a in alerts)
        checks.append(("one revision and one new plan detected",
                       counts2.get("changes.revised") == 1 and counts2.get("changes.new") == 6,
                       json.dumps(counts2)))
        checks.append(("change alerts sent", "revised" in kinds and "new" in kinds, ", ".join(kinds)))

        scenario.crawl_all()
        third = scenario.received_since_last()
        checks.append(("recrawl of unchanged sites sends nothing", third.total() == 0,
                       f"{third.total()} alerts"))

        out.write("\n=== 汇总 Summary ===\n")
        out.write(f"{'subscriber':20} {'1st crawl':>10} {'2nd crawl':>10} {'3rd crawl':>10}\n")
        for name in names:
            out.write(f"{name:20} {len(first.by_subscriber.get(name, [])):10d} "
                      f"{len(second.by_subscriber.get(name, [])):10d} {len(third.by_subscriber.get(name, [])):10d}\n")
        out.write("\n")
        for label, ok, detail in checks:
            out.write(f"[{'ok' if ok else 'FAIL'}] {label} ({detail})\n")
        out.write(f"\ndemo finished in {time.monotonic() - started:.1f}s; store: {scenario.settings.database_url}\n")
        settings = scenario.settings
        if not serve:
            _print_links(out, archive_links(scenario.pipeline.factory, f"http://{base.web.host}:{base.web.port}"))  # type: ignore[union-attr]
            out.write("(policywatch demo --serve keeps these pages up on the demo's data)\n")
    if serve:
        serve_archive(settings, out)
    if not (keep or serve):
        shutil.rmtree(var_dir, ignore_errors=True)
    return all(ok for _, ok, _ in checks)


def _subscriber_names() -> list[str]:
    return [spec.name for spec in load_demo_subscriptions()]
