"""Crawl runs in the database: who runs each one, that it is still alive, and how it ended.

A run is owned by ``host:pid`` and its owner refreshes ``heartbeat_at`` while the crawl runs. A run left
``running`` by a process that died (SIGKILL, OOM, power) is ended as ``interrupted`` when a daemon
starts: at once if its owner was a process on this host that no longer exists, otherwise once its
heartbeat is older than ``STALE_AFTER`` (a crawl worker on another machine that went silent). Its
pages need nothing special: whatever it fetched without the store committing it has no crawl state,
so the next crawl fetches it again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.errors import PolicywatchError
from storage.db import transaction
from storage.models import CrawlRun

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=5)


def this_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_exists(pid: int) -> bool:
    """Whether a process with this pid runs on this host (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_dead(owner: str, heartbeat_at: datetime | None, now: datetime) -> bool:
    host, _, pid = owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid():
        return not process_exists(int(pid))
    if heartbeat_at is None:
        return True  # written before runs had owners, or never beat: nobody is looking after it
    beat = heartbeat_at if heartbeat_at.tzinfo else heartbeat_at.replace(tzinfo=UTC)
    return now - beat > STALE_AFTER


def end_interrupted_runs(factory: sessionmaker[Session]) -> int:
    """End as ``interrupted`` every ``running`` run whose owner died; returns how many."""
    now = datetime.now(UTC)
    ended = 0
    with transaction(factory) as session:
        for run in session.scalars(select(CrawlRun).where(CrawlRun.outcome == "running")):
            if run.owner == this_owner() or not _owner_dead(run.owner, run.heartbeat_at, now):
                continue
            run.outcome, run.finished_at = "interrupted", now
            run.error = f"its process ({run.owner or 'unknown'}) died while crawling; the next crawl fetches again"
            ended += 1
    if ended:
        log.warning("%d crawl runs left running by a dead process ended as interrupted", ended)
    return ended


@contextmanager
def heartbeat(factory: sessionmaker[Session], run_id: int, interval_s: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Refresh the run's heartbeat every ``interval_s`` while the block runs (a failed beat only logs)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval_s):
            try:
                with transaction(factory) as session:
                    run = session.get(CrawlRun, run_id)
                    if run is not None:
                        run.heartbeat_at = datetime.now(UTC)
            except PolicywatchError as exc:
                log.warning("heartbeat of crawl run %d failed: %s", run_id, exc)

    thread = threading.Thread(target=beat, name=f"crawl-heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def owner_gone(owner: str) -> bool:
    """Whether ``owner`` ("host:pid") is a process of this host that no longer exists (a killed crawl
    worker's domain slot is free at once, instead of when its lease runs out)."""
    host, _, pid = owner.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not process_exists(int(pid))
