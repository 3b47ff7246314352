"""Alert fan-out and delivery throughput, against naive baselines measured in the same run.

- **fan-out**: one revised plan (深圳, with a major target change) matched against 10,000 subscriptions
  (regions with hierarchy, keywords, topics, minimum significance; about half match) and its alerts
  and pending deliveries written, by ``alerts.service.create_alerts`` — against the naive loop a first
  version would write: for each subscription, match, render, insert the alert, flush, insert the
  delivery, flush. Both use the same matching function (with its per-text caches), started cold.
- **delivery**: deliveries per second through the real deliverer (claim, send, record: three short
  transactions each, and the webhook channel's own HTTP client per message) to a local webhook
  receiver — against bare POSTs of the same bodies to the same receiver over one reused httpx client,
  no bookkeeping (the floor of the HTTP cost).

SQLite in a temporary folder; the receiver is a threaded ``http.server`` on loopback.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts import matching
from alerts.channels import WebhookChannel
from alerts.delivery import Deliverer, RetryPolicy
from alerts.matching import match_reasons
from alerts.render import render_alert
from alerts.service import create_alerts, rendered_from_alert, version_of
from bench import Row
from core.settings import AlertSettings
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Alert, Change, Delivery, DigestItem, Document, DocumentVersion, Subscription
from zhtext.tokenize import tokenizer

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SUBSCRIPTIONS = 10_000
DELIVERIES = 150
# The naive loop is measured on the first 2,000 subscriptions and scaled to 10,000 (it is linear: one
# match, render and two flushes per subscription) so the benchmark stays under a minute.
NAIVE_SAMPLE = 2_000
BASE = "https://pw.example"
REGIONS = ["广东省", "深圳市", "北京市", "上海市", "浙江省", "广州市", "辽宁省", "440300", ""]
KEYWORDS = [[], [], ["人工智能"], ["算力"], ["机器人", "大模型"], ["区块链"]]
GRADES = ["", "", "substantive", "major", "editorial"]


def _subscriptions(target: str) -> list[Subscription]:
    rng = random.Random(7)
    subs = []
    for i in range(SUBSCRIPTIONS):
        region = rng.choice(REGIONS)
        subs.append(Subscription(
            name=f"sub-{i:05d}", channel="webhook", target=target, regions=[region] if region else [],
            keywords=rng.choice(KEYWORDS), topics=[], change_kinds=rng.choice([[], ["revised"], ["new"]]),
            ai_only=True, min_significance=rng.choice(GRADES),
        ))
    return subs


def _change(factory: sessionmaker[Session]) -> int:
    text = (SEEDS / "004_279d2fb2746ce7ce.txt").read_text(encoding="utf-8")
    with transaction(factory) as session:
        doc = Document(key="shenzhen", source_id="bench", url="http://www.sz.gov.cn/a.htm",
                       title="深圳市新一代人工智能发展行动计划（2019-2023年）", issuers=["深圳市人民政府"],
                       province="广东省", city="深圳市", region_code="440300", admin_level="city",
                       ai_label="yes", issue_date=date(2019, 5, 14), period_start=2019, period_end=2023)
        session.add(doc)
        session.flush()
        v1 = DocumentVersion(document_id=doc.id, seq=1, content_hash="1", text=text, analysis={})
        v2 = DocumentVersion(document_id=doc.id, seq=2, content_hash="2", body_sha256="ab" * 32,
                             text=text.replace("300亿元", "500亿元"), analysis={})
        session.add_all([v1, v2])
        session.flush()
        doc.latest_version_id = v2.id
        summary = {
            "headline": "修订；目标变化：人工智能核心产业规模 300亿元→500亿元",
            "targets": [{"metric": "人工智能核心产业规模", "before": "300亿元", "after": "500亿元", "year": 2023,
                         "kind": "changed"}],
            "significance": {"grade": "major", "label": "重大 major",
                             "reasons": ["目标变化 target changed：人工智能核心产业规模 300亿元 → 500亿元（2023年）"]},
        }
        change = Change(dedup_key="bench", document_id=doc.id, version_id=v2.id, previous_version_id=v1.id,
                        kind="revised", summary=summary, detected_at=datetime.now(UTC))
        session.add(change)
        session.flush()
        return change.id


def _naive(session: Session, change: Change, limit: int) -> int:
    """The first version one would write: match, render, insert and flush, one subscription at a time."""
    document = session.get_one(Document, change.document_id)
    version = version_of(session, change, document)
    made = 0
    for sub in session.scalars(select(Subscription).order_by(Subscription.id).limit(limit)):
        reasons = match_reasons(sub, document, change, version.analysis if version else {},
                                text=version.text if version else "")
        if reasons is None:
            continue
        rendered = render_alert(document, change, version, BASE, subscription=sub.name, reasons=reasons)
        alert = Alert(change_id=change.id, subscription_id=sub.id, subject=rendered.subject, body=rendered.text,
                      payload=rendered.payload)
        session.add(alert)
        session.flush()
        session.add(Delivery(alert_id=alert.id, channel=sub.channel, target=sub.target))
        session.flush()
        made += 1
    return made


def _clear(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        session.execute(delete(Delivery))
        session.execute(delete(DigestItem))
        session.execute(delete(Alert))


def _cold() -> None:
    """Forget the matching caches (folded text, keyword hits) so each run starts as a new change would."""
    matching._haystack.cache_clear()
    matching._keyword_hit.cache_clear()


def _fan_out(factory: sessionmaker[Session], change_id: int) -> tuple[float, float, int]:
    tokenizer()  # the jieba dictionary loads once per process (~0.5 s): not part of either side
    _cold()
    start = time.perf_counter()
    with transaction(factory) as session:
        made = len(create_alerts(session, session.get_one(Change, change_id), BASE))
    ours = time.perf_counter() - start
    with transaction(factory) as session:
        sample_made = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.subscription_id <= NAIVE_SAMPLE)
        )
    _clear(factory)
    _cold()
    start = time.perf_counter()
    with transaction(factory) as session:
        naive = _naive(session, session.get_one(Change, change_id), NAIVE_SAMPLE)
    baseline = (time.perf_counter() - start) * SUBSCRIPTIONS / NAIVE_SAMPLE
    assert naive == sample_made, (naive, sample_made)  # both matched the same subscriptions
    _clear(factory)
    with transaction(factory) as session:  # ours again, so the delivery benchmark has its deliveries
        create_alerts(session, session.get_one(Change, change_id), BASE)
    return ours, baseline, made


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Receiver.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def _deliveries(factory: sessionmaker[Session], url: str) -> tuple[float, float]:
    """Deliveries per second through the deliverer, and bare POSTs per second of the same bodies."""
    with transaction(factory) as session:
        ids = session.scalars(select(Delivery.id).order_by(Delivery.id).limit(DELIVERIES)).all()
        session.execute(delete(Delivery).where(Delivery.id.not_in(ids)))
        count = session.scalar(select(func.count()).select_from(Delivery)) or 0
        bodies = [rendered_from_alert(d.alert).as_json() for d in session.scalars(select(Delivery))]
    deliverer = Deliverer({"webhook": WebhookChannel(allowed_networks=["127.0.0.0/8"])},
                          RetryPolicy.from_settings(AlertSettings()))
    start = time.perf_counter()
    sent = 0
    while sent < count:
        report = deliverer.deliver_due(factory, limit=count)
        sent += report.sent
        if not report.sent:
            raise RuntimeError(f"deliveries stalled: {report}")
    ours = count / (time.perf_counter() - start)
    start = time.perf_counter()
    with httpx.Client(timeout=10, follow_redirects=False) as client:  # one client, reused: HTTP's floor
        for body in bodies:
            client.post(url, json=body).raise_for_status()
    baseline = len(bodies) / (time.perf_counter() - start)
    return ours, baseline


def run() -> list[Row]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.sqlite")
            migrate(engine)
            factory = session_factory(engine)
            with transaction(factory) as session:
                session.add_all(_subscriptions(url))
            change_id = _change(factory)
            ours, baseline, made = _fan_out(factory, change_id)
            per_s, bare_per_s = _deliveries(factory, url)
            engine.dispose()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return [
        Row("alerts: 1 change x 10k subscriptions", ours, baseline, "s", "naive match-render-flush loop",
            f"{made} alerts + deliveries; naive timed on {NAIVE_SAMPLE}, scaled"),
        Row("alerts: webhook deliveries per second", per_s, bare_per_s, "1/s", "bare POSTs, one reused client",
            f"{DELIVERIES} deliveries, local receiver"),
    ]
