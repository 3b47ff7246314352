"""What the alert stage calls: turn a change into alerts once, each with a pending delivery.

Two steps with a database row in between, so that matching and sending fail independently:
``create_alerts`` runs inside the stage's transaction (with the change it reacts to) and only
writes rows; ``alerts.delivery.Deliverer`` sends them after that commit, on its own schedule.
"""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.lineage_notes import lineage_notes
from alerts.matching import match_reasons
from alerts.render import RenderedAlert, build_payload, render_text
from alerts.templating import AlertTemplates
from alerts.unsubscribe import UnsubscribeLinks
from core.errors import PermanentError
from storage.models import Alert, Change, Delivery, DigestItem, Document, DocumentVersion, Subscription

log = logging.getLogger(__name__)

DIGEST_SCHEDULES = ("daily", "weekly")


def create_alerts(session: Session, change: Change, base_url: str) -> list[Alert]:
    """Create one Alert and one pending Delivery per active matching subscription; never commits.

    A subscription with a daily or weekly digest gets a DigestItem instead (sent later by
    ``alerts.digests``). Idempotent: subscriptions that already have an alert (or digest item) for this
    change are skipped, so a
    redelivered change event creates nothing new and the existing alerts are returned. The
    unique (change_id, subscription_id) constraint backs this up: two consumers racing on the same
    change make one flush fail with IntegrityError, that transaction is retried, and the retry
    finds the winner's rows. Returns every alert of the change, oldest first.
    """
    document = session.get(Document, change.document_id)
    if document is None:
        raise PermanentError(f"change {change.id} refers to missing document {change.document_id}")
    version = version_of(session, change, document)
    analysis = version.analysis if version else {}
    text = version.text if version else ""
    existing = {
        alert.subscription_id: alert
        for alert in session.scalars(select(Alert).where(Alert.change_id == change.id))
    }
    subscriptions = session.scalars(
        select(Subscription)
        .where(Subscription.active.is_(True), Subscription.unsubscribed_at.is_(None))
        .order_by(Subscription.id)
    )
    created: list[tuple[Alert, Subscription]] = []
    renderer: _ChangeRenderer | None = None  # built once, and only when some subscription matches
    in_digests = set(session.scalars(select(DigestItem.subscription_id).where(DigestItem.change_id == change.id)))
    for sub in subscriptions:
        if sub.id in existing or sub.id in in_digests:
            continue
        reasons = match_reasons(sub, document, change, analysis, text=text)
        if reasons is None:
            continue
        if sub.digest in DIGEST_SCHEDULES:
            # Collected for the subscriber's next digest (alerts.digests) instead of an alert of its own.
            session.add(DigestItem(subscription_id=sub.id, change_id=change.id, reasons=list(reasons)))
            in_digests.add(sub.id)
            continue
        if renderer is None:
            renderer = _ChangeRenderer(build_payload(
                document, change, version, base_url, subscription=_NAME_SLOT,
                lineage=lineage_notes(session, document.id),
            ))
        payload, body = renderer.for_subscription(sub.name, reasons)
        alert = Alert(change_id=change.id, subscription_id=sub.id, subject=payload["subject"], body=body,
                      payload=payload, account_id=sub.account_id)
        session.add(alert)
        created.append((alert, sub))
        existing[sub.id] = alert
        log.debug("alert created: change=%s subscription=%s kind=%s", change.id, sub.name, change.kind)
    # The alerts of a change, then their deliveries, each inserted in one batched flush rather than one
    # round trip per subscriber.
    session.flush()
    for alert, sub in created:
        session.add(Delivery(alert_id=alert.id, channel=sub.channel, target=sub.target, account_id=sub.account_id))
    session.flush()
    if renderer is not None:
        log.info("alerts created: change=%s kind=%s alerts=%d", change.id, change.kind, len(existing))
    return sorted(existing.values(), key=lambda alert: alert.id)


# Stands for the subscriber's name while the shared text is rendered; never printed as such.
_NAME_SLOT = "\x00subscription\x00"


class _ChangeRenderer:
    """One change rendered for many subscribers: the payload is built once, the text once per distinct
    set of match reasons, and each subscriber's name is filled in. With 10,000 subscriptions the
    rendering would otherwise dominate the fan-out (bench/bench_alerts.py)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self._payload = payload
        self._texts: dict[tuple[str, ...], str] = {}

    def for_subscription(self, name: str, reasons: list[str]) -> tuple[dict[str, Any], str]:
        key = tuple(reasons)
        if key not in self._texts:
            self._texts[key] = render_text({**self._payload, "subscription": {"name": _NAME_SLOT, "reasons": reasons}})
        payload = {**self._payload, "subscription": {"name": name, "reasons": list(reasons)}}
        return payload, self._texts[key].replace(_NAME_SLOT, name)


def version_of(session: Session, change: Change, document: Document) -> DocumentVersion | None:
    """The version the alert links to: the new one, or for a removal the last one stored."""
    for version_id in (change.version_id, change.previous_version_id, document.latest_version_id):
        if version_id is not None:
            return session.get(DocumentVersion, version_id)
    return None


def rendered_from_alert(
    alert: Alert, links: UnsubscribeLinks | None = None, templates: AlertTemplates | None = None
) -> RenderedAlert:
    """Every format rendered from the stored payload with the templates in use, keyed for receivers to
    dedupe; with ``links``, the subscriber's unsubscribe link is in every body."""
    key = f"policywatch-alert-{alert.id}"
    payload = dict(alert.payload or {})
    secret = (alert.subscription.webhook_secret if alert.subscription is not None else "") or ""
    if "schema" not in payload:  # a row written by hand or before payloads: send what was stored
        return RenderedAlert(alert.subject, alert.body, f"<pre>{html.escape(alert.body)}</pre>", payload, key,
                             signing_secret=secret)
    if links is not None and payload.get("base_url"):
        payload["unsubscribe_url"] = links.url(str(payload["base_url"]), alert.subscription_id)
    return replace(RenderedAlert.from_payload(payload, key, templates), signing_secret=secret)
