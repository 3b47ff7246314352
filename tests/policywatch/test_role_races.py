"""Instances of one role racing on PostgreSQL: the database, not luck, keeps them from doing one piece of
work twice — two store instances on one content hash, two deliverers on one delivery, many crawl workers
on one domain's slots."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import WebhookChannel
from alerts.delivery import Deliverer, RetryPolicy
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from consumers.store_stage import StoreStage
from core.bus import BusConfig, EventProducer
from core.events import DocumentUnderstood, Envelope, Payload, content_hash, decode, encode
from core.metrics import Metrics
from core.settings import AlertSettings
from storage.db import make_engine, migrate, session_factory, transaction
from storage.domain_slots import ensure_slots, held_slots, release, try_acquire
from storage.models import Change, Delivery, Document, DocumentVersion
from tests.alerts.conftest import LOOPBACK, HttpReceiver, Library, http_receiver  # noqa: F401

URL = "http://sim.example/zcwj/post_1.html"


@pytest.fixture
def pg_factories(pg_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Two engines on one migrated PostgreSQL database: two processes' worth of connections."""
    engines = [make_engine(pg_url) for _ in range(2)]
    migrate(engines[0])
    yield [session_factory(engine) for engine in engines]
    for engine in engines:
        engine.dispose()


def _understood(text: str) -> DocumentUnderstood:
    return DocumentUnderstood(
        source_id="sim", url=URL, fetched_at=datetime.now(UTC), content_hash=content_hash(text),
        title="某市人工智能产业发展行动计划", text=text, analysis={"title": "某市人工智能产业发展行动计划"},
        body_sha256="a" * 64,
    )


def _race(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)


@pytest.mark.parametrize("rounds", [3])
def test_two_store_instances_never_store_one_content_hash_twice(
    pg_factories: list[sessionmaker[Session]], bus_config: BusConfig, rounds: int
) -> None:
    producer = EventProducer(bus_config, "test")
    stores = [StoreStage(factory, producer, Metrics()) for factory in pg_factories]
    texts = [f"第{n}版。到2027年，全市人工智能核心产业规模突破{100 * (n + 1)}亿元。" * 20 for n in range(rounds)]
    errors: list[BaseException] = []
    try:
        for text in texts:  # each round: both instances store the same new content at the same moment
            envelope, event = decode(encode(_understood(text), "test")[1])
            barrier = threading.Barrier(len(stores))

            def run(store: StoreStage, barrier: threading.Barrier, envelope: Envelope, event: Payload) -> None:
                try:
                    barrier.wait(10)
                    store.handle(envelope, event)
                except BaseException as exc:  # reported below
                    errors.append(exc)

            _race([threading.Thread(target=run, args=(store, barrier, envelope, event)) for store in stores])
    finally:
        producer.close()
    assert errors == []
    with transaction(pg_factories[0]) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        hashes = session.scalars(select(DocumentVersion.content_hash)).all()
        changes = session.scalars(select(Change.kind)).all()
    assert sorted(Counter(hashes).values()) == [1] * rounds  # one version per content hash
    assert sorted(changes) == ["new"] + ["revised"] * (rounds - 1)


def test_two_deliverers_never_send_one_delivery_twice(
    pg_factories: list[sessionmaker[Session]], http_receiver: HttpReceiver, shared_dir: Path  # noqa: F811
) -> None:
    factory = pg_factories[0]
    with transaction(factory) as session:
        sync_subscriptions(session, [
            SubscriptionSpec(name=f"hook{n}", channel="webhook", target=f"{http_receiver.url}/{n}", ai_only=False)
            for n in range(10)
        ])
    library = Library(factory, shared_dir)
    for name in ("nansha", "shenyang", "liuzhou", "minhang", "shenzhen"):
        change = library.publish(name)
        with transaction(factory) as session:
            create_alerts(session, session.get_one(Change, change.id), "https://pw.example")
    with transaction(factory) as session:
        total = session.scalar(select(func.count()).select_from(Delivery))
    assert total == 50
    deliverers = [
        Deliverer({"webhook": WebhookChannel(allowed_networks=LOOPBACK)}, RetryPolicy.from_settings(AlertSettings())) for _ in pg_factories
    ]
    barrier = threading.Barrier(len(deliverers))

    def run(deliverer: Deliverer, own: sessionmaker[Session]) -> None:
        barrier.wait(10)
        deliverer.deliver_due(own)

    _race([threading.Thread(target=run, args=pair) for pair in zip(deliverers, pg_factories, strict=True)])
    keys = Counter(request["headers"]["Idempotency-Key"] for request in http_receiver.requests)
    assert len(keys) == 50 and set(keys.values()) == {1}
    with transaction(factory) as session:
        assert session.scalars(select(Delivery.status).distinct()).all() == ["sent"]


def test_crawl_workers_never_hold_more_domain_slots_than_allowed(pg_factories: list[sessionmaker[Session]]) -> None:
    domain, allowed = "www.gd.gov.cn", 2
    with transaction(pg_factories[0]) as session:
        ensure_slots(session, domain, allowed)
    holding: list[int] = []
    most = [0]
    lock = threading.Lock()
    crawls = Counter[str]()

    def worker(name: str, factory: sessionmaker[Session]) -> None:
        for _ in range(5):
            while True:
                with transaction(factory) as session:
                    slot = try_acquire(session, domain, allowed, name, timedelta(seconds=60), datetime.now(UTC))
                if slot is not None:
                    break
                time.sleep(0.01)
            with lock:
                holding.append(slot)
                most[0] = max(most[0], len(holding))
            time.sleep(0.02)  # "crawling"
            with lock:
                holding.remove(slot)
                crawls[name] += 1
            with transaction(factory) as session:
                release(session, domain, slot, name)

    _race([threading.Thread(target=worker, args=(f"host:{n}", pg_factories[n % 2])) for n in range(6)])
    assert most[0] == allowed
    assert sum(crawls.values()) == 30


def test_a_dead_workers_domain_slot_frees_when_its_lease_ends(pg_factories: list[sessionmaker[Session]]) -> None:
    domain, factory, now = "www.gxzf.gov.cn", pg_factories[0], datetime.now(UTC)
    with transaction(factory) as session:
        ensure_slots(session, domain, 1)
        assert try_acquire(session, domain, 1, "dead:1", timedelta(seconds=30), now) == 0
    with transaction(factory) as session:
        assert try_acquire(session, domain, 1, "live:2", timedelta(seconds=30), now) is None
        assert try_acquire(session, domain, 1, "live:2", timedelta(seconds=30), now,
                           holder_dead=lambda holder: holder == "dead:1") == 0
    with transaction(factory) as session:
        later = now + timedelta(seconds=31)
        assert held_slots(session, domain, now) == 1
        assert try_acquire(session, domain, 1, "live:3", timedelta(seconds=30), later) == 0
