"""The daemon's lifecycle job: raises a due 即将失效 once, wakes the deliverer, and does nothing the second time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from consumers.lifecycle import local_today
from core.settings import AlertSettings
from policywatch.alert_jobs import AlertJobs
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Delivery, Document
from tests.clock import FakeClock


def test_lifecycle_job_raises_a_due_notice_once_and_wakes_the_deliverer(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    factory = session_factory(engine)
    clock = FakeClock()
    settings = AlertSettings(expiry_notice_days=10)
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="all", channel="file", target="/dev/null", ai_only=False)])
        session.add(Document(key="d1", source_id="s", url="https://gov.example/d1", title="某市人工智能行动计划",
                             expiry_date=local_today(clock(), settings.timezone) + timedelta(days=5)))
    woken: list[bool] = []
    jobs = AlertJobs(factory, settings, "https://pw.example", lambda: woken.append(True), clock)
    assert jobs.lifecycle() == 1
    assert jobs.lifecycle() == 0
    assert woken == [True]
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1
    engine.dispose()
