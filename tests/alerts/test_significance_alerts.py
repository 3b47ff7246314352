"""Significance end to end: the store stage grades each change, subscribers set a minimum, and the
alert leads with the changed targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, parse_subscriptions, sync_subscriptions
from consumers.store_stage import StoreStage
from core.errors import SubscriptionError
from core.metrics import Metrics
from storage.db import transaction
from storage.models import Alert, Change
from tests.archive_fixtures import understood

MINHANG = "003_7280d984ce98fe0b.txt"


def test_store_stage_grades_changes_and_minimum_significance_filters_alerts(
    factory: sessionmaker[Session], shared_dir: Path
) -> None:
    text = (shared_dir / "seeds" / MINHANG).read_text(encoding="utf-8")
    with transaction(factory) as session:
        sync_subscriptions(session, [
            SubscriptionSpec(name="everything", channel="file", target="/dev/null"),
            SubscriptionSpec(name="major-only", channel="file", target="/dev/null", min_significance="major"),
        ])
    stage = StoreStage(factory, producer=None, metrics=Metrics())  # type: ignore[arg-type]
    url = "https://gov.example.cn/minhang.html"
    stage.store(understood("minhang", text, url=url))
    comma = text.replace("经过排摸梳理,闵行区", "经过排摸,梳理闵行区", 1)
    stage.store(understood("minhang", comma, url=url))
    target = comma.replace("产业规模超过250亿元", "产业规模超过500亿元", 1)
    stage.store(understood("minhang", target, url=url))

    with transaction(factory) as session:
        changes = session.scalars(select(Change).order_by(Change.id)).all()
        assert [(c.kind, c.summary["significance"]["grade"]) for c in changes] == [
            ("new", "major"), ("revised", "editorial"), ("revised", "major"),
        ]
        for change in changes:
            create_alerts(session, change, "https://pw.example")
        got = {(a.subscription.name, a.change_id) for a in session.scalars(select(Alert))}
        ids = [c.id for c in changes]
        assert got == {("everything", ids[0]), ("everything", ids[1]), ("everything", ids[2]),
                       ("major-only", ids[0]), ("major-only", ids[2])}
        alert = session.scalars(
            select(Alert).where(Alert.change_id == ids[2], Alert.subscription.has(name="major-only"))
        ).one()
    body = alert.body.splitlines()
    # Subject, summary, then the changed targets before anything else: metric, old → new, year.
    lead = next(i for i, line in enumerate(body) if line.startswith("目标变化 Targets changed"))
    assert "人工智能产业规模（2020年）：250亿元 → 500亿元" in body[lead + 1]
    assert body.index("重要程度 Significance") > lead
    assert "重大 major" in alert.body


def test_unknown_minimum_significance_is_refused_with_the_grades_named() -> None:
    with pytest.raises(SubscriptionError, match=r"min_significance.*editorial"):
        parse_subscriptions({"subscription": [{"name": "x", "channel": "file", "min_significance": "huge"}]})
