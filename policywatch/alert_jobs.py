"""The daemon's scheduled alert jobs: lifecycle checks and the daily/weekly digest run.

Each job is one short transaction that writes alert rows, then wakes the deliverer; the scheduler
(APScheduler: the daemon's, or the `policywatch scheduler` role's) calls them on an interval. Errors are logged and the next
run tries again: the jobs are idempotent, so a missed or repeated run loses and duplicates nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.orm import Session, sessionmaker

from alerts.digests import send_digests
from consumers.lifecycle import check_lifecycle
from core.errors import PolicywatchError
from core.settings import AlertSettings
from storage.db import transaction

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AlertJobs:
    """Built by the daemon from the settings; ``wake`` tells the deliverer new deliveries are due."""

    def __init__(self, factory: sessionmaker[Session], settings: AlertSettings, base_url: str,
                 wake: Callable[[], None] = lambda: None, clock: Clock = _utc_now) -> None:
        self._factory = factory
        self._settings = settings
        self._base_url = base_url
        self._wake = wake
        self._clock = clock

    def lifecycle(self) -> int:
        """Raise the lifecycle events now due (即将失效, 已失效, 已被替代); how many were raised."""
        return self._run("lifecycle check", lambda session: check_lifecycle(
            session, self._clock(), timezone=self._settings.timezone,
            notice_days=self._settings.expiry_notice_days, base_url=self._base_url,
        ))

    def digests(self) -> int:
        """Write the daily and weekly digests now due (one message each, never empty); how many."""
        return self._run("digest run", lambda session: send_digests(
            session, self._clock(), timezone=self._settings.timezone, base_url=self._base_url,
        ))

    def _run(self, what: str, job: Callable[[Session], Sequence[object]]) -> int:
        """One job in one transaction; the deliverer is woken after the commit if it wrote anything."""
        try:
            with transaction(self._factory) as session:
                written = job(session)
        except PolicywatchError as exc:
            log.warning("%s failed: %s (next try on schedule)", what, exc)
            return 0
        if written:
            self._wake()
        return len(written)

    def schedule(self, scheduler: BaseScheduler) -> None:
        """Add the lifecycle check and the digest run to ``scheduler``."""
        now = datetime.now(UTC)
        scheduler.add_job(self.lifecycle, "interval", minutes=self._settings.lifecycle_check_minutes,
                          id="lifecycle", next_run_time=now + timedelta(seconds=10))
        # Digest hours are whole local hours: a run every 5 minutes sends each within minutes of its hour.
        scheduler.add_job(self.digests, "interval", minutes=5, id="digests", next_run_time=now + timedelta(seconds=15))
