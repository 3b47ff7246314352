"""The demo subscribers against the five seed plans as the real analysis stage understands them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.service import create_alerts
from alerts.subscriptions import load_demo_subscriptions, sync_subscriptions
from consumers.analysis import analyze
from storage.db import transaction
from storage.documents import apply_analysis
from storage.models import Alert, Change, Document, DocumentVersion, Subscription

BASE = "http://127.0.0.1:8470"


def store_seed(factory: sessionmaker[Session], path: Path) -> int:
    """What the store stage writes for a first sighting: document, version 1, a `new` change."""
    text = path.read_text(encoding="utf-8")
    analysis = analyze(text).to_dict()
    with transaction(factory) as session:
        doc = Document(key=path.stem[:40], source_id="seeds", url=f"https://gov.example/{path.name}")
        apply_analysis(doc, analysis["title"], analysis)
        session.add(doc)
        session.flush()
        version = DocumentVersion(document_id=doc.id, seq=1, content_hash=path.stem, title=doc.title,
                                  text=text, analysis=analysis)
        session.add(version)
        session.flush()
        change = Change(dedup_key=f"{path.stem}:v1:new", document_id=doc.id, version_id=version.id,
                        kind="new", summary={"headline": f"新发布：{doc.title}"})
        session.add(change)
        session.flush()
        create_alerts(session, change, BASE)
        return change.id


def test_demo_subscribers_get_the_analysed_seed_plans_they_asked_for(
    factory: sessionmaker[Session], shared_dir: Path
) -> None:
    with transaction(factory) as session:
        sync_subscriptions(session, load_demo_subscriptions())
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        store_seed(factory, path)
    with transaction(factory) as session:
        rows = session.execute(
            select(Subscription.name, Document.city, Document.district)
            .join(Alert, Alert.subscription_id == Subscription.id)
            .join(Change, Change.id == Alert.change_id)
            .join(Document, Document.id == Change.document_id)
        ).all()
        shenzhen = session.scalars(select(Alert).join(Change).join(Document)
                                   .where(Document.region_code == "440300")).first()
    got: dict[str, set[str]] = {}
    for name, city, district in rows:
        got.setdefault(name, set()).add(district or city)
    assert got == {
        "gd-consultancy": {"深圳市", "南沙区"},
        "sh-consultancy": {"闵行区"},
        "icv-analyst": {"深圳市", "南沙区", "柳州市"},
        "archivist": {"深圳市", "南沙区", "柳州市", "沈阳市", "闵行区"},
    }
    assert shenzhen is not None
    assert shenzhen.subject.startswith("【新发布 New】深圳市新一代人工智能发展行动计划")
    assert "规划目标 Plan targets" in shenzhen.body and "规划期 Period：2019–2023" in shenzhen.body
