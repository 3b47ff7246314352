"""`policywatch crawl-worker`: runs the crawls the scheduler requests, as one member of a consumer group.

It is a stage like the others (``consumers.stage_runner``) on the ``crawl_requests`` topic, taking one
request at a time and committing its offset only after the crawl finished and its run was recorded: a
worker killed mid-crawl leaves the request uncommitted, and the group hands it to another worker.

Before crawling, a worker takes one of the source's domain slots (``storage.domain_slots``,
``crawl.crawls_per_domain``): politeness that holds across every worker on every machine. It waits for a
slot, renews its lease while crawling and gives it back after.

A request is satisfied by any crawl of its source that started after it was made, so a second
scheduler, a redelivered request or a backlog of requests never crawls one source twice in a row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from core.errors import PermanentError, TransientError
from core.events import CrawlRequested, Envelope, Payload
from crawlers.catalog import SourceDefinition
from policywatch.crawl_runs import end_interrupted_runs, owner_gone, this_owner
from policywatch.pipeline import Pipeline
from storage.db import transaction
from storage.domain_slots import ensure_slots, release, renew, try_acquire
from storage.models import CrawlRun

log = logging.getLogger(__name__)

SLOT_POLL_SECONDS = 1.0
# Outcomes that did not do the crawl asked for: the request still wants one.
NOT_DONE = ("interrupted", "cancelled")


class CrawlCancelled(TransientError):
    """The worker is stopping: the crawl (or the wait for a slot) was abandoned; the request stays
    uncommitted so the group gives it to another worker."""


def source_domain(source: SourceDefinition) -> str:
    """The host a source's lists are on (its crawl slots are that host's)."""
    return (urlsplit(source.list_urls[0]).hostname or "") if source.list_urls else ""


class CrawlWorker:
    """The crawl worker as a stage: ``handle`` runs one requested crawl."""

    name = "crawl-worker"
    input_topic = "crawl_requests"

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._settings = pipeline.settings.crawl
        self._sources = {source.id: source for source in pipeline.sources}
        self.crawled = 0

    def consumer_options(self) -> dict[str, int]:
        """One request per poll, and room for the longest crawl plus a wait for a slot between polls."""
        longest_ms = int((self._settings.crawl_timeout_seconds + 2 * self._settings.domain_lease_seconds) * 1000)
        return {"max_poll_records": 1, "max_poll_interval_ms": max(longest_ms, 300_000)}

    def handle(self, envelope: Envelope, payload: Payload) -> None:
        if not isinstance(payload, CrawlRequested):
            raise PermanentError(f"crawl worker does not handle {envelope.type}")
        source = self._sources.get(payload.source_id)
        if source is None:
            raise PermanentError(f"crawl requested for unknown source {payload.source_id!r}")
        if self._already_crawled(payload):
            log.info("crawl of %s requested at %s already done or running: skipped",
                     payload.source_id, payload.requested_at.isoformat())
            return
        with self._domain_slot(source_domain(source)):
            result = self._pipeline.crawl(payload.source_id)
        if result.outcome == "cancelled":
            raise CrawlCancelled(f"crawl of {payload.source_id} cancelled: worker stopping")
        self.crawled += 1

    def _already_crawled(self, request: CrawlRequested) -> bool:
        end_interrupted_runs(self._pipeline.factory)  # a killed worker's run must not count as done
        with transaction(self._pipeline.factory) as session:
            runs = session.execute(
                select(CrawlRun.started_at, CrawlRun.outcome).where(CrawlRun.source_id == request.source_id)
            ).all()
        requested = request.requested_at
        for started, outcome in runs:
            started = started if started.tzinfo else started.replace(tzinfo=UTC)
            if started >= requested and outcome not in NOT_DONE:
                return True
        return False

    @contextmanager
    def _domain_slot(self, domain: str) -> Iterator[int]:
        """Hold one of ``domain``'s crawl slots for the block (waiting for one), renewing its lease."""
        factory, stopping = self._pipeline.factory, self._pipeline.stopping
        holder = this_owner()
        lease = timedelta(seconds=self._settings.domain_lease_seconds)
        count = self._settings.crawls_per_domain
        waited = False
        while True:
            with transaction(factory) as session:
                ensure_slots(session, domain, count)
            with transaction(factory) as session:
                slot = try_acquire(session, domain, count, holder, lease, datetime.now(UTC), owner_gone)
            if slot is not None:
                break
            if not waited:
                log.info("all %d crawl slots of %s are taken: waiting", count, domain)
                waited = True
            if stopping.wait(SLOT_POLL_SECONDS):
                raise CrawlCancelled(f"stopped while waiting for a crawl slot of {domain}")
        done = threading.Event()

        def keep() -> None:
            while not done.wait(lease.total_seconds() / 3):
                try:
                    with transaction(factory) as session:
                        if not renew(session, domain, slot, holder, datetime.now(UTC) + lease):
                            log.warning("crawl slot %d of %s was lost (lease expired)", slot, domain)
                except TransientError as exc:
                    log.warning("renewing crawl slot %d of %s failed: %s", slot, domain, exc)

        keeper = threading.Thread(target=keep, name=f"slot-{domain}-{slot}", daemon=True)
        keeper.start()
        try:
            yield slot
        finally:
            done.set()
            keeper.join(5)
            try:
                with transaction(factory) as session:
                    release(session, domain, slot, holder)
            except TransientError as exc:  # the lease frees it anyway
                log.warning("releasing crawl slot %d of %s failed: %s", slot, domain, exc)
