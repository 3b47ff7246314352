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
from core.errors import PermanentError
from core.events import DocumentChanged, Envelope, Payload
from core.metrics import Metrics
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
        with transaction(self._factory) as session:
            change = session.get(Change, payload.change_id)
            if change is None:
                raise PermanentError(f"change {payload.change_id} is not in the store")
            alerts = create_alerts(session, change, self._base_url)
            if change.alerted_at is None:
                change.alerted_at = datetime.now(UTC)
            log.info("change %d (%s) matched %d subscriptions", change.id, change.kind, len(alerts))
        self._wake_deliverer()
