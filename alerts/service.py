"""What the alert stage calls: turn a change into alerts once, then deliver them with retries.

Two steps with a database row in between, so that matching and sending fail independently:
``create_alerts`` runs inside the stage's transaction (with the change it reacts to) and only
writes rows; ``Deliverer.deliver_pending`` runs after that commit and talks to the outside world.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels.base import Channel
from alerts.matching import match_reasons
from alerts.render import RenderedAlert, render_alert, render_html
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings
from storage.db import transaction
from storage.models import Alert, Change, Delivery, Document, DocumentVersion, Subscription

log = logging.getLogger(__name__)


def create_alerts(session: Session, change: Change, base_url: str) -> list[Alert]:
    """Create one Alert and one pending Delivery per active matching subscription; never commits.

    Idempotent: subscriptions that already have an alert for this change are skipped, so a
    redelivered change event creates nothing new and the existing alerts are returned. The
    unique (change_id, subscription_id) constraint backs this up: two consumers racing on the same
    change make one flush fail with IntegrityError, that transaction is retried, and the retry
    finds the winner's rows. Returns every alert of the change, oldest first.
    """
    document = session.get(Document, change.document_id)
    if document is None:
        raise PermanentError(f"change {change.id} refers to missing document {change.document_id}")
    version = _version_of(session, change, document)
    analysis = version.analysis if version else {}
    text = version.text if version else ""
    existing = {
        alert.subscription_id: alert
        for alert in session.scalars(select(Alert).where(Alert.change_id == change.id))
    }
    subscriptions = session.scalars(
        select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)
    )
    for sub in subscriptions:
        if sub.id in existing:
            continue
        reasons = match_reasons(sub, document, change, analysis, text=text)
        if reasons is None:
            continue
        rendered = render_alert(document, change, version, base_url, subscription=sub.name, reasons=reasons)
        alert = Alert(
            change_id=change.id,
            subscription_id=sub.id,
            subject=rendered.subject,
            body=rendered.text,
            payload=rendered.payload,
        )
        session.add(alert)
        session.flush()
        session.add(Delivery(alert_id=alert.id, channel=sub.channel, target=sub.target))
        existing[sub.id] = alert
        log.info("alert created: change=%s subscription=%s kind=%s", change.id, sub.name, change.kind)
    session.flush()
    return sorted(existing.values(), key=lambda alert: alert.id)


def _version_of(session: Session, change: Change, document: Document) -> DocumentVersion | None:
    """The version the alert links to: the new one, or for a removal the last one stored."""
    for version_id in (change.version_id, change.previous_version_id, document.latest_version_id):
        if version_id is not None:
            return session.get(DocumentVersion, version_id)
    return None


def rendered_from_alert(alert: Alert) -> RenderedAlert:
    """The stored subject and text (HTML re-rendered from the stored payload), keyed for receivers to dedupe."""
    payload = dict(alert.payload or {})
    page = render_html(payload) if payload else f"<pre>{html.escape(alert.body)}</pre>"
    return RenderedAlert(alert.subject, alert.body, page, payload, f"policywatch-alert-{alert.id}")


@dataclass
class DeliveryReport:
    """Outcome of one ``deliver_pending`` run."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claimed or finished by another deliverer in the meantime
    waiting: int = 0  # pending on channels that are not running (e.g. email without SMTP host)


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


class Deliverer:
    """Sends pending deliveries over their channels with bounded retries.

    Each delivery is one short transaction of its own:

    1. claim: ``attempts + 1`` where the row is still ``pending``. The update locks the row (the
       database on SQLite), so a second deliverer waits, then finds it no longer pending and skips
       it: a delivery ``sent`` is never sent again, and two deliverers never send the same one;
    2. send over the channel (bounded by the channel's timeout; the lock is held meanwhile);
    3. record and commit: ``sent`` with ``sent_at``; on TransientError stay ``pending`` with
       ``last_error`` until ``max_attempts``, then ``failed``; on PermanentError ``failed`` at once.

    Delivery is **at least once**: if the process dies, or the commit fails, after the channel
    accepted the message, the transaction rolls back, the delivery is still pending and a later
    run sends it again. Messages carry ``policywatch-alert-<id>`` (Message-ID, Idempotency-Key,
    ``id`` in JSON) so receivers can drop that duplicate. Retries happen on the next call: the
    caller's schedule is the back-off.
    """

    def __init__(
        self, channels: Mapping[str, Channel], max_attempts: int, mirrors: Sequence[Mirror] = ()
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.channels = dict(channels)
        self.max_attempts = max_attempts
        self.mirrors = list(mirrors)

    def deliver_pending(self, factory: sessionmaker[Session], limit: int = 100) -> DeliveryReport:
        """Send up to ``limit`` pending deliveries, oldest first; see the class doc for the guarantees."""
        report = DeliveryReport()
        names = list(self.channels)
        pending = Delivery.status == "pending"
        with transaction(factory) as session:
            batch = session.scalars(
                select(Delivery.id).where(pending, Delivery.channel.in_(names)).order_by(Delivery.id).limit(limit)
            ).all()
            report.waiting = session.scalar(
                select(func.count()).select_from(Delivery).where(pending, Delivery.channel.not_in(names))
            ) or 0
        if report.waiting:
            log.info("%d deliveries wait for channels that are not running", report.waiting)
        for delivery_id in batch:
            outcome = self._deliver_one(factory, delivery_id)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    def _deliver_one(self, factory: sessionmaker[Session], delivery_id: int) -> str:
        with transaction(factory) as session:
            claimed = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == "pending")
                .values(attempts=Delivery.attempts + 1)
            ).rowcount
            if not claimed:
                return "skipped"
            delivery = session.get_one(Delivery, delivery_id, populate_existing=True)
            message = rendered_from_alert(delivery.alert)
            outcome = self._send(delivery, message)
        log.info(
            "delivery %s via %s: %s (attempt %d/%d)%s",
            delivery_id, delivery.channel, outcome, delivery.attempts, self.max_attempts,
            f": {delivery.last_error}" if delivery.last_error else "",
        )
        if outcome == "sent":
            self._copy_to_mirrors(delivery.channel, delivery.target, message)
        return outcome

    def _send(self, delivery: Delivery, message: RenderedAlert) -> str:
        """Send and set the row's status; the caller's transaction commits it."""
        try:
            self.channels[delivery.channel].send(delivery.target, message)
        except PermanentError as exc:
            delivery.status, delivery.last_error = "failed", str(exc)
            return "failed"
        except Exception as exc:
            # TransientError, and anything a channel failed to classify: retry, bounded by max_attempts.
            if not isinstance(exc, TransientError):
                log.exception("channel %s raised an unclassified error", delivery.channel)
            delivery.last_error = f"{type(exc).__name__}: {exc}"
            if delivery.attempts >= self.max_attempts:
                delivery.status = "failed"
                return "failed"
            return "retrying"
        delivery.status, delivery.sent_at, delivery.last_error = "sent", datetime.now(UTC), ""
        return "sent"

    def _copy_to_mirrors(self, channel_name: str, target: str, message: RenderedAlert) -> None:
        for mirror in self.mirrors:
            if mirror.channel.name == channel_name and target in ("", mirror.target):
                continue  # the delivery itself already went there
            try:
                mirror.channel.send(mirror.target, message)
            except Exception:
                # Copies are for operators watching; a failed copy must not turn a sent alert into a retry.
                log.exception("copy of %s to %s failed", message.idempotency_key, mirror.channel.name)
