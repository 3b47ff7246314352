"""Beyond one machine: crawl-to-alert latency, and stage throughput with one and two instances per stage.

* **Latency** (page fetched → alert delivered): the all-in-one pipeline crawls generated simulated sites
  (``crawlers.simulator.generated``) and delivers every new document's alert to a webhook on loopback;
  each alert's latency is the time the receiver got it minus the ``fetched_at`` the crawler stamped on the
  page. Once on embedded defaults (Tansu, SQLite), once on Apache Kafka 4 (KRaft, jars from Maven Central,
  ``tools.apache_kafka``). Goal: p95 ≤ 2 s. Baseline: the goal.
* **Throughput** (documents per second through classify → store → alert): page events published in
  advance onto Apache Kafka, then ``policywatch stage classify|store|alert`` as processes of their own on
  PostgreSQL, one instance of each against two of each, until every document has its alert. Goal: ≥ 1.8×
  with two. On a 2-core machine six busy processes share two cores, so the ratio is bounded by the cores,
  not by the design; the figure says what this machine gives.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import Row
from core.bus import BusConfig, EventProducer, ensure_topics
from core.events import PageFetched, content_hash
from core.settings import KafkaSettings, load_settings
from core.tracing import new_trace_id
from crawlers.simulator.generated import GeneratedSites
from policywatch.pipeline import Pipeline
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Alert, Change, DocumentVersion
from tools.apache_kafka import ApacheKafka, KafkaUnavailable
from tools.postgres import TestPostgres

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]
LATENCY_SITES, LATENCY_DOCS = 6, 5
THROUGHPUT_DOCS = 80


class Receiver:
    """A webhook receiver noting when each alert (by its idempotency key) arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrived.setdefault(self.headers.get("Idempotency-Key", ""), time.time())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _subscriptions(folder: Path, target: str) -> Path:
    path = folder / "subscriptions.toml"
    path.write_text(f'[[subscription]]\nname = "all"\nchannel = "webhook"\ntarget = "{target}"\nai_only = false\n',
                    encoding="utf-8")
    return path


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _latencies(kafka: dict[str, Any], label: str) -> list[float]:
    """Crawl the generated sites through the all-in-one pipeline; per-alert seconds from fetch to delivery."""
    sites = GeneratedSites(LATENCY_SITES, LATENCY_DOCS, SHARED / "seeds", SHARED / "labeled", seed=len(label))
    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="pw-bench-roles-") as tmp, sites:
        sites.write_sources(Path(tmp) / "sources")
        settings = load_settings(
            None, var_dir=Path(tmp) / "var", kafka=kafka, web={"enabled": False},
            crawl={"simulator_url": sites.base_url, "sources_dirs": [Path(tmp) / "sources"]},
            alerts={"subscriptions_file": _subscriptions(Path(tmp), receiver.url),
                    "allowed_networks": ["127.0.0.0/8"]},  # the receiver is on loopback
        )
        try:
            with Pipeline(settings) as pipeline:
                pipeline.extra_crawl_settings = {"AUTOTHROTTLE_ENABLED": "False"}
                pipeline.wait_ready()  # as the daemon does before its first crawl
                for source in pipeline.sources:
                    pipeline.crawl(source.id)
                deadline = time.monotonic() + 60
                while len(receiver.arrived) < sites.total_documents and time.monotonic() < deadline:
                    time.sleep(0.1)
                with transaction(pipeline.factory) as session:
                    rows = session.execute(
                        select(Alert.id, DocumentVersion.fetched_at)
                        .join(Change, Alert.change_id == Change.id)
                        .join(DocumentVersion, Change.version_id == DocumentVersion.id)
                    ).all()
        finally:
            receiver.close()
    latencies = []
    for alert_id, fetched in rows:
        arrived = receiver.arrived.get(f"policywatch-alert-{alert_id}")
        if arrived is not None:
            fetched = fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)
            latencies.append(arrived - fetched.timestamp())
    if len(latencies) < sites.total_documents:
        raise RuntimeError(f"latency bench on {label}: {len(latencies)} of {sites.total_documents} alerts arrived")
    return latencies


def _pages(count: int) -> list[PageFetched]:
    sites = GeneratedSites(max(1, count // 10), 10, SHARED / "seeds", SHARED / "labeled", seed=99)
    pages = []
    run = uuid.uuid4().hex[:6]
    for docs in sites.documents.values():
        for doc in docs:
            html = sites._pages[doc.path].decode("utf-8")
            url = f"http://bench-{run}.example{doc.path}"
            pages.append(PageFetched(
                source_id="bench", url=url, final_url=url, status=200, fetched_at=datetime.now(UTC),
                encoding="utf-8", html=html, body_sha256=content_hash(html),
            ))
    return pages[:count]


def _busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat, in clock ticks."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _throughput(bootstrap: str, postgres: TestPostgres, instances: int) -> tuple[float, float]:
    """Documents per second through the three stages with ``instances`` processes of each, and how many
    of the machine's cores were busy meanwhile (stages, broker and database together)."""
    suffix = uuid.uuid4().hex[:8]
    kafka = KafkaSettings(bootstrap_servers=[bootstrap], topic_prefix=f"bench{suffix}", group_prefix=f"bench{suffix}",
                          idempotent_producer=True, partitions=4)
    bus = BusConfig.from_settings(kafka)
    ensure_topics(bus)
    url = postgres.create_database("pwbench")
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="pw-bench-tp-") as tmp:
        env = {
            **os.environ, "PYTHONPATH": str(REPO), "XDG_RUNTIME_DIR": tmp,
            "POLICYWATCH_VAR_DIR": str(Path(tmp) / "var"), "POLICYWATCH_DATABASE__URL": url,
            "POLICYWATCH_KAFKA__BOOTSTRAP_SERVERS": json.dumps([bootstrap]),
            "POLICYWATCH_KAFKA__TOPIC_PREFIX": kafka.topic_prefix, "POLICYWATCH_KAFKA__GROUP_PREFIX": kafka.group_prefix,
            "POLICYWATCH_KAFKA__IDEMPOTENT_PRODUCER": "true", "POLICYWATCH_KAFKA__PARTITIONS": "4",
            "POLICYWATCH_WEB__ENABLED": "false", "POLICYWATCH_LOGGING__LEVEL": "WARNING",
            "POLICYWATCH_ALERTS__SUBSCRIPTIONS_FILE": str(_subscriptions(Path(tmp), "http://127.0.0.1:9/none")),
        }
        producer = EventProducer(bus, "bench")

        def alerts() -> int:
            with transaction(factory) as session:
                return session.scalar(select(func.count()).select_from(Alert)) or 0

        def wait_alerts(count: int, timeout_s: float) -> None:
            deadline = time.monotonic() + timeout_s
            while alerts() < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"throughput bench: {alerts()} of {count} alerts after {timeout_s:.0f}s")
                time.sleep(0.05)

        try:
            for stage in ("classify", "store", "alert"):
                for _ in range(instances):
                    processes.append(subprocess.Popen(
                        [sys.executable, "-m", "policywatch.cli", "stage", stage], cwd=REPO, env=env,
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    ))
            pages = _pages(THROUGHPUT_DOCS + 4 * instances)
            warmup, measured = pages[: 4 * instances], pages[4 * instances :]
            for page in warmup:  # every instance has joined its group and loaded its dictionaries
                producer.publish(page, trace_id=new_trace_id())
            wait_alerts(len(warmup), 120)
            time.sleep(3.0)  # let the rebalance after the last join settle
            started, (busy_before, total_before) = time.monotonic(), _busy_jiffies()
            producer.publish_many(measured, trace_id="")
            wait_alerts(len(pages), 300)
            elapsed = time.monotonic() - started
            busy_after, total_after = _busy_jiffies()
        finally:
            producer.close()
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
            engine.dispose()
            postgres.drop_database(url)
    busy_cores = (os.cpu_count() or 1) * (busy_after - busy_before) / max(1, total_after - total_before)
    return len(measured) / elapsed, busy_cores


def run() -> list[Row]:
    rows = []
    embedded = _latencies({}, "embedded")
    rows += [
        Row("latency fetch→alert delivered, embedded p50", statistics.median(embedded), 2.0, "s", "goal p95 2 s",
            f"{len(embedded)} alerts, Tansu + SQLite, all-in-one"),
        Row("latency fetch→alert delivered, embedded p95", _percentile(embedded, 0.95), 2.0, "s", "goal p95 2 s"),
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="pw-bench-kafka-") as tmp, ApacheKafka(Path(tmp)) as kafka:
            on_kafka = _latencies({"bootstrap_servers": [kafka.bootstrap], "idempotent_producer": True}, "kafka")
            rows += [
                Row("latency fetch→alert delivered, Kafka p50", statistics.median(on_kafka), 2.0, "s", "goal p95 2 s",
                    f"{len(on_kafka)} alerts, Apache Kafka 4 + SQLite, all-in-one"),
                Row("latency fetch→alert delivered, Kafka p95", _percentile(on_kafka, 0.95), 2.0, "s", "goal p95 2 s"),
            ]
            postgres = TestPostgres.start()
            one, busy_one = _throughput(kafka.bootstrap, postgres, 1)
            two, busy_two = _throughput(kafka.bootstrap, postgres, 2)
            cores = os.cpu_count() or 1
            rows += [
                Row("throughput classify→store→alert, 2 instances", two, one, "docs/s", "1 instance per stage",
                    f"{THROUGHPUT_DOCS} docs, Apache Kafka + PostgreSQL, stage processes; goal ratio >= 1.8; "
                    f"{cores} cores"),
                # What this machine allows: with one instance per stage `busy_one` cores were already busy, so
                # no number of instances can do better than cores / busy_one here.
                Row("throughput ceiling on this machine", cores / busy_one, 1.8, "×", "goal ratio",
                    f"{cores} cores / {busy_one:.2f} busy with 1 instance per stage ({busy_two:.2f} with 2)"),
            ]
    except KafkaUnavailable as exc:
        print(f"bench_roles: Apache Kafka not available ({exc}); Kafka rows skipped", file=sys.stderr)
    return rows
