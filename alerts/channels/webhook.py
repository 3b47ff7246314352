"""Webhook: the alert's JSON record POSTed to a URL (httpx).

Only a 2xx answer counts as delivered. Redirects are not followed (a receiver that moved must be
updated in the subscription, not guessed at): 301/308 are permanent failures, other 3xx transient.
5xx, 408, 429, timeouts and connection failures are transient; other 4xx mean the endpoint rejects
us and are permanent. The deliverer holds no database transaction while we wait for the receiver. An ``Idempotency-Key`` header carries the alert's stable key so receivers
can drop the at-least-once duplicate.
"""

from __future__ import annotations

import httpx

from alerts.channels.base import ChannelContext
from alerts.render import RenderedAlert
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings

RETRYABLE_STATUS = {408, 425, 429}
PERMANENT_REDIRECTS = {301, 308}
# A receiver that takes longer is treated as down (alerts.webhook_timeout_seconds).
TIMEOUT_SECONDS = 10.0


class WebhookChannel:
    """POSTs ``RenderedAlert.as_json()`` to the subscription's URL."""

    name = "webhook"

    def __init__(self, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> WebhookChannel:
        return cls(settings.webhook_timeout_seconds)

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        url = delivery_target.strip()
        if not url.startswith(("http://", "https://")):
            raise PermanentError(f"webhook target is not an http(s) URL: {delivery_target!r}")
        headers = {"User-Agent": "policywatch-alerts/1"}
        if message.idempotency_key:
            headers["Idempotency-Key"] = message.idempotency_key
        try:
            with httpx.Client(timeout=self.timeout_seconds, follow_redirects=False) as client:
                response = client.post(url, json=message.as_json(), headers=headers)
        except httpx.InvalidURL as exc:
            raise PermanentError(f"invalid webhook URL {url!r}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise TransientError(f"webhook {url}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            where = response.headers.get("Location", "?")
            error = PermanentError if status in PERMANENT_REDIRECTS else TransientError
            raise error(f"webhook {url} answered {status} (redirect to {where}, not followed)")
        if status >= 500 or status in RETRYABLE_STATUS or status < 200:
            raise TransientError(f"webhook {url} answered {status}")
        raise PermanentError(f"webhook {url} answered {status}: {response.text[:200]}")
