"""When each source is crawled: one APScheduler job per enabled source, used by `policywatch run` (which
crawls in its own process) and by `policywatch scheduler` (which publishes a crawl request for a crawl
worker instead). The dispatch is the only difference, so the single-machine daemon is the roles in one
process.

Interval plus jitter per source, never two runs of one job at once, missed runs coalesced. The first run
of a source follows its last crawl recorded in the database (a restarted scheduler does not crawl
everything again at once); a source never crawled, or overdue, starts within seconds, staggered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.settings import Settings
from crawlers.catalog import SourceDefinition
from storage.db import transaction
from storage.models import CrawlRun

FIRST_RUNS_WITHIN_S = 30.0
# How often the scheduler refreshes the consumer-lag gauge (a Prometheus scrape interval).
LAG_EXPORT_SECONDS = 15


def new_scheduler() -> BackgroundScheduler:
    return BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    )


def enabled_sources(settings: Settings, sources: Sequence[SourceDefinition]) -> list[SourceDefinition]:
    enabled = set(settings.crawl.enabled_sources)
    return [s for s in sources if not enabled or s.id in enabled]


def last_crawls(factory: sessionmaker[Session]) -> dict[str, datetime]:
    """When each source's newest crawl started."""
    with transaction(factory) as session:
        rows = session.execute(select(CrawlRun.source_id, func.max(CrawlRun.started_at)).group_by(CrawlRun.source_id))
        return {source_id: (at if at.tzinfo else at.replace(tzinfo=UTC)) for source_id, at in rows}


def schedule_crawls(
    scheduler: BackgroundScheduler,
    settings: Settings,
    sources: Sequence[SourceDefinition],
    dispatch: Callable[[str], None],
    last: dict[str, datetime] | None = None,
) -> int:
    """Add one interval job per source calling ``dispatch(source_id)``; returns how many."""
    now = datetime.now(UTC)
    last = last or {}
    # First runs spread over at most ~30 s (3 s apart for a handful of sources).
    stagger = min(3.0, FIRST_RUNS_WITHIN_S / max(1, len(sources)))
    for index, source in enumerate(sources):
        minutes = source.interval_minutes or settings.crawl.interval_minutes
        soon = now + timedelta(seconds=2 + stagger * index)
        due = last[source.id] + timedelta(minutes=minutes) if source.id in last else soon
        scheduler.add_job(
            dispatch,
            "interval",
            args=[source.id],
            id=f"crawl:{source.id}",
            minutes=minutes,
            jitter=settings.crawl.jitter_seconds,
            next_run_time=max(due, soon) if source.id in last else soon,
        )
    return len(sources)
