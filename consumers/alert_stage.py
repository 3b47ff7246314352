"""Alert stage: matches each change against subscriptions and hands the alerts to the deliverer.

Alerts and their deliveries are created once per (change, subscription) in one transaction, so a
redelivered change event creates nothing new. Sending is not done here: after the commit the stage
wakes the deliverer (``alerts.delivery.DeliveryWorker``), which sends what is due on its own thread and
schedule, so a slow or failing receiver never holds up this stage or a database transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from alerts.service import create_alerts
from consumers.conflicts import retry_on_conflict
from core.errors import PermanentError
from core.events import DocumentChanged, Envelope, Payload
from core.metrics import STORED_TO_ALERTED, Metrics, seconds_since
from storage.db import transaction
from storage.models import Change

log = logging.getLogger(__name__)


class AlertStage:
    name = "alert"
    input_topic = "changes"

    def __init__(
        self,
        factory: sessionmaker[Session],
        wake_deliverer: Callable[[], None],
        base_url: str,
        metrics: Metrics,
    ) -> None:
        self._factory = factory
        self._wake_deliverer = wake_deliverer
        self._base_url = base_url
        self._metrics = metrics

    def handle(self, envelope: Envelope, payload: Payload) -> None:
        if not isinstance(payload, DocumentChanged):
            raise PermanentError(f"alert stage does not handle {envelope.type}")
        detected_at = retry_on_conflict(lambda: self._alert(payload.change_id), f"alerts of change {payload.change_id}")
        if detected_at is not None:
            self._metrics.latency.labels(STORED_TO_ALERTED).observe(seconds_since(detected_at))
        self._wake_deliverer()

    def _alert(self, change_id: int) -> datetime | None:
        """Create the change's alerts in one transaction; the change's detection time if any were new."""
        with transaction(self._factory) as session:
            change = session.get(Change, change_id)
            if change is None:
                raise PermanentError(f"change {change_id} is not in the store")
            alerts = create_alerts(session, change, self._base_url)
            for alert in alerts:
                alert.trace_id = alert.trace_id or change.trace_id
            if change.alerted_at is None:
                change.alerted_at = datetime.now(UTC)
            log.info("change %d (%s) matched %d subscriptions", change.id, change.kind, len(alerts))
            return change.detected_at if alerts else None
