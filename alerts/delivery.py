"""Sending alerts: each delivery on its own retry schedule, claimed with a lease, sent with no transaction open.

One delivery goes through three short steps, none of which holds a database transaction across the
network:

1. **claim** (one transaction): a conditional UPDATE takes the row only while it is *due* — ``pending``
   with ``next_attempt_at`` reached, or ``sending`` with an expired lease — and sets it ``sending``
   with ``lease_until``. The UPDATE locks the row (the database on SQLite) and re-checks the
   condition, so two deliverers never take one delivery;
2. **send** over the channel, bounded by the channel's timeout, with no transaction open (a receiver
   that hangs delays only this delivery, never another stage's writes);
3. **record** (one transaction): ``sent``; or, on a TransientError, ``pending`` again with
   ``next_attempt_at`` after an exponential back-off with full jitter (``alerts.retry_base_seconds``
   doubling up to ``alerts.retry_max_seconds``) until ``alerts.retry_window_hours`` have passed since
   the first attempt or ``alerts.max_attempts`` were made, then ``failed``; a PermanentError fails at once.

Delivery is **at least once**. The window: if the process dies (or the database refuses the record)
after the channel accepted the message, the row stays ``sending`` until its lease ends
(``alerts.lease_seconds``), then it is due again and sent a second time. Every message carries the
stable key ``policywatch-alert-<id>`` (Message-ID, Idempotency-Key, ``id`` in JSON) so a receiver can
drop that duplicate. A failed delivery stays visible and is re-sent only by an operator's
``retry_deliveries`` (``policywatch deliveries retry``, ``POST /api/deliveries/retry``), which touches
failed rows only: what was delivered is never sent again.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels.base import Channel
from alerts.rate_limits import RateLimits
from alerts.render import RenderedAlert
from alerts.service import rendered_from_alert
from alerts.templating import AlertTemplates
from alerts.unsubscribe import UnsubscribeLinks
from core.errors import PermanentError, PolicywatchError, TransientError
from core.metrics import ALERTED_TO_DELIVERED, FETCHED_TO_DELIVERED, Metrics, seconds_since
from core.settings import AlertSettings
from core.tracing import traced
from storage.db import transaction
from storage.models import Delivery, DocumentVersion

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
STATUSES = ("pending", "sending", "sent", "failed")


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive (they were stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """When a delivery that failed transiently is tried again, and when it is given up."""

    base_s: float
    max_s: float
    window_s: float
    max_attempts: int
    lease_s: float

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> RetryPolicy:
        return cls(
            base_s=settings.retry_base_seconds,
            max_s=settings.retry_max_seconds,
            window_s=settings.retry_window_hours * 3600,
            max_attempts=settings.max_attempts,
            lease_s=settings.lease_seconds,
        )

    def backoff(self, attempts: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max, base·2^(attempts−1))] — retries of many deliveries spread out."""
        ceiling = min(self.max_s, self.base_s * 2 ** min(max(attempts - 1, 0), 30))
        return rng.uniform(0, ceiling)

    def gives_up(self, attempts: int, first_attempt_at: datetime, now: datetime) -> bool:
        return attempts >= self.max_attempts or (now - as_utc(first_attempt_at)).total_seconds() >= self.window_s


@dataclass
class DeliveryReport:
    """Outcome of one ``deliver_due`` pass."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claimed or finished by another deliverer in the meantime
    waiting: int = 0  # pending on channels that are not running (e.g. email without SMTP host)
    deferred: int = 0  # over a target's rate limit: pending again, due when the limit allows


@dataclass(frozen=True)
class Mirror:
    """A copy of every sent alert to a fixed channel target (``alerts.console``, ``alerts.outbox_file``)."""

    channel: Channel
    target: str = ""


def mirrors_from_settings(settings: AlertSettings, channels: Mapping[str, Channel]) -> list[Mirror]:
    """The copies the settings ask for, among the channels that run."""
    mirrors: list[Mirror] = []
    if settings.console and "console" in channels:
        mirrors.append(Mirror(channels["console"]))
    if settings.outbox_file is not None and "file" in channels:
        mirrors.append(Mirror(channels["file"], str(settings.outbox_file)))
    return mirrors


@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    channel: str
    target: str
    attempts: int
    first_attempt_at: datetime
    message: RenderedAlert
    alerted_at: datetime | None = None  # for the latency metrics
    fetched_at: datetime | None = None
    trace_id: str = ""


@dataclass
class DeliveryHealth:
    """What the deliverer saw lately, for /healthz: failures since the last delivery that went out."""

    consecutive_failures: int = 0
    last_error: str = ""
    last_sent_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, outcome: str, error: str) -> None:
        with self.lock:
            if outcome == "sent":
                self.consecutive_failures, self.last_error = 0, ""
                self.last_sent_at = utc_now()
            elif outcome in ("retrying", "failed"):
                self.consecutive_failures += 1
                self.last_error = error


class Deliverer:
    """Sends the deliveries that are due; see the module docstring for the guarantees."""

    def __init__(
        self,
        channels: Mapping[str, Channel],
        policy: RetryPolicy,
        mirrors: Sequence[Mirror] = (),
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
        links: UnsubscribeLinks | None = None,
        limits: RateLimits | None = None,
        templates: AlertTemplates | None = None,
    ) -> None:
        self.metrics = metrics
        self.links = links
        self.limits = limits
        self.templates = templates
        self.channels = dict(channels)
        self.policy = policy
        self.mirrors = list(mirrors)
        self.clock = clock
        self.rng = rng or random.Random()
        self.health = DeliveryHealth()

    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        return or_(
            and_(Delivery.status == "pending", Delivery.next_attempt_at <= now),
            and_(Delivery.status == "sending", Delivery.lease_until < now),
        )

    def deliver_due(self, factory: sessionmaker[Session], limit: int = 100) -> DeliveryReport:
        """Send up to ``limit`` due deliveries, the longest-waiting first."""
        report = DeliveryReport()
        names = list(self.channels)
        now = self.clock()
        with transaction(factory) as session:
            batch = session.scalars(
                select(Delivery.id).where(self._due(now), Delivery.channel.in_(names))
                .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
            ).all()
            report.waiting = session.scalar(
                select(func.count()).select_from(Delivery)
                .where(Delivery.status == "pending", Delivery.channel.not_in(names))
            ) or 0
        if report.waiting:
            log.info("%d deliveries wait for channels that are not running", report.waiting)
        for delivery_id in batch:
            outcome = self._deliver_one(factory, delivery_id)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    def _claim(self, factory: sessionmaker[Session], delivery_id: int) -> _Claim | str | None:
        now = self.clock()
        with transaction(factory) as session:
            if self.limits is not None and self._defer(session, delivery_id, now):
                return "deferred"
            claimed = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, self._due(now))
                .values(
                    status="sending",
                    lease_until=now + timedelta(seconds=self.policy.lease_s),
                    attempts=Delivery.attempts + 1,
                    last_attempt_at=now,
                    first_attempt_at=func.coalesce(Delivery.first_attempt_at, now),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if not claimed:
                return None
            delivery = session.get_one(Delivery, delivery_id, populate_existing=True)
            if delivery.alert.subscription.unsubscribed_at is not None:
                # Unsubscribed after the alert was created: nothing more goes out to them.
                delivery.status, delivery.lease_until, delivery.last_error = "failed", None, "退订 unsubscribed"
                return None
            version_id = delivery.alert.change.version_id if delivery.alert.change is not None else None
            fetched_at = session.scalar(select(DocumentVersion.fetched_at).where(DocumentVersion.id == version_id))
            return _Claim(
                delivery_id, delivery.channel, delivery.target, delivery.attempts,
                as_utc(delivery.first_attempt_at or now), rendered_from_alert(delivery.alert, self.links, self.templates),
                delivery.alert.created_at, fetched_at, delivery.alert.trace_id,
            )

    def _defer(self, session: Session, delivery_id: int, now: datetime) -> bool:
        """Over its target's rate limit: push the delivery's next attempt out (never fail it)."""
        assert self.limits is not None
        row = session.execute(select(Delivery.channel, Delivery.target).where(Delivery.id == delivery_id)).one_or_none()
        if row is None:
            return False
        due = self.limits.wait_until(session, row.channel, row.target, now)
        if due is None:
            return False
        session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "pending")
            .values(next_attempt_at=due).execution_options(synchronize_session=False)
        )
        return True

    def _deliver_one(self, factory: sessionmaker[Session], delivery_id: int) -> str:
        claim = self._claim(factory, delivery_id)
        if claim is None:
            return "skipped"
        if isinstance(claim, str):
            return claim
        with traced(claim.trace_id):  # the send and its record log under the fetch's trace id
            return self._send_and_record(factory, delivery_id, claim)

    def _send_and_record(self, factory: sessionmaker[Session], delivery_id: int, claim: _Claim) -> str:
        outcome, error = self._send(claim)  # no transaction is open here
        now = self.clock()
        values: dict[str, object] = {"lease_until": None, "last_error": error}
        if outcome == "sent":
            values.update(status="sent", sent_at=now)
        elif outcome == "retrying" and not self.policy.gives_up(claim.attempts, claim.first_attempt_at, now):
            delay = self.policy.backoff(claim.attempts, self.rng)
            values.update(status="pending", next_attempt_at=now + timedelta(seconds=delay))
        else:
            outcome = "failed"
            values.update(status="failed")
        with transaction(factory) as session:
            session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == "sending", Delivery.attempts == claim.attempts)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        self.health.record(outcome, error)
        self._observe(claim, outcome)
        log.log(
            logging.INFO if outcome == "sent" else logging.WARNING,
            "delivery %s via %s: %s (attempt %d)%s", delivery_id, claim.channel, outcome, claim.attempts,
            f": {error}" if error else "",
        )
        if outcome == "sent":
            self._copy_to_mirrors(claim.channel, claim.target, claim.message)
        return outcome

    def _observe(self, claim: _Claim, outcome: str) -> None:
        if self.metrics is None:
            return
        self.metrics.deliveries.labels(claim.channel, outcome).inc()
        if outcome == "sent":
            if claim.alerted_at is not None:
                self.metrics.latency.labels(ALERTED_TO_DELIVERED).observe(seconds_since(claim.alerted_at))
            if claim.fetched_at is not None:
                self.metrics.latency.labels(FETCHED_TO_DELIVERED).observe(seconds_since(claim.fetched_at))

    def _send(self, claim: _Claim) -> tuple[str, str]:
        try:
            self.channels[claim.channel].send(claim.target, claim.message)
        except PermanentError as exc:
            return "failed", f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            # TransientError, and anything a channel failed to classify: retried on the schedule.
            if not isinstance(exc, TransientError):
                log.exception("channel %s raised an unclassified error", claim.channel)
            return "retrying", f"{type(exc).__name__}: {exc}"
        return "sent", ""

    def _copy_to_mirrors(self, channel_name: str, target: str, message: RenderedAlert) -> None:
        for mirror in self.mirrors:
            if mirror.channel.name == channel_name and target in ("", mirror.target):
                continue  # the delivery itself already went there
            try:
                mirror.channel.send(mirror.target, message)
            except Exception:
                # Copies are for operators watching; a failed copy must not turn a sent alert into a retry.
                log.exception("copy of %s to %s failed", message.idempotency_key, mirror.channel.name)


class DeliveryWorker:
    """The deliverer's own thread: a pass every ``interval_s``, and at once when ``wake()`` is called
    (the alert stage wakes it after committing new alerts), so deliveries never wait on other traffic
    and a slow receiver never holds up a stage."""

    def __init__(self, deliverer: Deliverer, factory: sessionmaker[Session], interval_s: float) -> None:
        self.deliverer = deliverer
        self._factory = factory
        self._interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error = ""

    def start(self) -> DeliveryWorker:
        self._thread = threading.Thread(target=self._run, name="deliverer", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout_s: float = 20.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = self.deliverer.deliver_due(self._factory)
                self.last_error = ""
                if report.sent or report.skipped:
                    continue  # there may be more due right away
            except PolicywatchError as exc:
                self.last_error = str(exc)
                log.warning("delivery pass failed: %s (next pass in %.0f s)", exc, self._interval_s)
            self._wake.wait(self._interval_s)
