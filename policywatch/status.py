"""`policywatch status`: each source's last crawl and outcome, document counts, consumer lag."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from core.bus import BusConfig
from core.consumer_lag import group_lag
from core.errors import PolicywatchError
from core.events import CONSUMER_GROUPS
from core.settings import Settings
from policywatch.terminal_tables import render_table
from storage.db import make_engine, migrate, session_factory
from storage.models import Change, CrawlRun, Delivery, Document, Source


def collect_status(settings: Settings) -> dict[str, Any]:
    engine = make_engine(settings.database_url)
    migrate(engine)
    factory = session_factory(engine)
    status: dict[str, Any] = {"database": settings.database_url.split("@")[-1]}
    with factory() as session:
        sources = []
        for source in session.scalars(select(Source).order_by(Source.id)).all():
            last = session.scalars(
                select(CrawlRun).where(CrawlRun.source_id == source.id).order_by(CrawlRun.id.desc()).limit(1)
            ).first()
            failures = session.scalar(
                select(func.count(CrawlRun.id)).where(
                    CrawlRun.source_id == source.id, CrawlRun.outcome != "ok"
                )
            )
            sources.append(
                {
                    "id": source.id,
                    "region": source.region,
                    "last_crawl": last.started_at.isoformat() if last else None,
                    "outcome": last.outcome if last else "never",
                    "error": (last.error if last else "")[:200],
                    "failed_crawls": failures or 0,
                    "caps": dict((last.stats or {}).get("caps") or {}) if last else {},
                    "problems": list((last.stats or {}).get("problems") or []) if last else [],
                }
            )
        status["sources"] = sources
        status["documents"] = {
            f"{state}/{label or 'unknown'}": count
            for state, label, count in session.execute(
                select(Document.status, Document.ai_label, func.count(Document.id)).group_by(
                    Document.status, Document.ai_label
                )
            ).all()
        }
        status["changes"] = dict(
            session.execute(select(Change.kind, func.count(Change.id)).group_by(Change.kind)).all()
        )
        status["deliveries"] = dict(
            session.execute(select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status)).all()
        )
    engine.dispose()
    status["lag"] = _lag(settings)
    return status


def _lag(settings: Settings) -> dict[str, Any] | str:
    if not settings.runtime_file.exists():
        return "daemon not running"
    state = json.loads(settings.runtime_file.read_text(encoding="utf-8"))
    kafka = settings.kafka.model_copy(
        update={
            "topic_prefix": state["topic_prefix"],
            "group_prefix": state["group_prefix"],
            "partitions": state["partitions"],
            "request_timeout_ms": 5000,
        }
    )
    config = BusConfig.from_settings(kafka, state["bootstrap_servers"])
    try:
        return dict(group_lag(config, CONSUMER_GROUPS))
    except PolicywatchError as exc:
        return f"broker unreachable: {exc}"


def render_status(status: dict[str, Any]) -> str:
    rows = [
        {
            "source": s["id"],
            "region": s["region"],
            "last crawl (UTC)": (s["last_crawl"] or "—")[:19].replace("T", " "),
            "outcome": s["outcome"],
            "failed crawls": str(s["failed_crawls"]),
            "caps hit": ",".join(f"{cap}={n}" for cap, n in sorted(s.get("caps", {}).items())),
            "error": s["error"][:90] if s["outcome"] != "ok" else "",
            "problems": ",".join(s.get("problems", [])),
        }
        for s in status["sources"]
    ]
    columns = ("source", "region", "last crawl (UTC)", "outcome", "failed crawls", "caps hit", "problems", "error")
    lines = [f"database: {status['database']}", "", render_table(rows, columns), ""]
    lines.append("documents: " + (", ".join(f"{k}={v}" for k, v in sorted(status["documents"].items())) or "none"))
    lines.append("changes:   " + (", ".join(f"{k}={v}" for k, v in sorted(status["changes"].items())) or "none"))
    lines.append("deliveries: " + (", ".join(f"{k}={v}" for k, v in sorted(status["deliveries"].items())) or "none"))
    lag = status["lag"]
    lines.append("consumer lag: " + (lag if isinstance(lag, str) else ", ".join(f"{k}={v}" for k, v in lag.items())))
    return "\n".join(lines)
