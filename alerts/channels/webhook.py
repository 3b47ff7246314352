"""Webhook: the alert's JSON record POSTed to a URL (httpx), signed the Standard Webhooks way.

Only a 2xx answer counts as delivered. Redirects are not followed by default (a receiver that moved must
be updated in the subscription, not guessed at): 301/308 are permanent failures, other 3xx transient;
with ``alerts.webhook_follow_redirects`` each hop's target is checked before connecting. 5xx, 408, 429,
timeouts and connection failures are transient; other 4xx mean the endpoint rejects us and are
permanent. A target resolving to a loopback, private, link-local or metadata address (not in
``alerts.allowed_networks``) fails permanently before anything connects (``alerts.outbound``). The
deliverer holds no database transaction while we wait for the receiver.

Headers: ``webhook-id`` / ``Idempotency-Key`` carry the alert's stable key so receivers can drop the
at-least-once duplicate; ``webhook-timestamp`` and ``webhook-signature`` (``alerts.signing``) let them
verify the sender and reject replays. The body follows the published schema
(``/api/v1/schemas/webhook-body.json``, ``alerts/webhook_body.schema.json``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

import httpx

from alerts.channels.base import ChannelContext
from alerts.outbound import Resolver, post_checked, system_resolver
from alerts.render import RenderedAlert
from alerts.signing import signed_headers
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings

RETRYABLE_STATUS = {408, 425, 429}
PERMANENT_REDIRECTS = {301, 308}
# A receiver that takes longer is treated as down (alerts.webhook_timeout_seconds).
TIMEOUT_SECONDS = 10.0


def webhook_body(message: RenderedAlert) -> bytes:
    """The exact bytes sent and signed: the alert's JSON record, UTF-8."""
    return json.dumps(message.as_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookChannel:
    """POSTs ``RenderedAlert.as_json()`` to the subscription's URL."""

    name = "webhook"

    def __init__(
        self,
        timeout_seconds: float = TIMEOUT_SECONDS,
        allowed_networks: Sequence[str] = (),
        follow_redirects: bool = False,
        clock: Callable[[], float] = time.time,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.allowed_networks = list(allowed_networks)
        self.follow_redirects = follow_redirects
        self.clock = clock
        self.resolver = resolver

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> WebhookChannel:
        return cls(settings.webhook_timeout_seconds, settings.allowed_networks, settings.webhook_follow_redirects)

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        url = delivery_target.strip()
        if not url.startswith(("http://", "https://")):
            raise PermanentError(f"webhook target is not an http(s) URL: {delivery_target!r}")
        body = webhook_body(message)
        headers = {"User-Agent": "policywatch-alerts/1", "Content-Type": "application/json"}
        if message.idempotency_key:
            headers["Idempotency-Key"] = message.idempotency_key
            headers |= signed_headers(message.signing_secret, message.idempotency_key, int(self.clock()), body)
        try:
            with httpx.Client(timeout=self.timeout_seconds, follow_redirects=False) as client:
                response = post_checked(client, url, body, headers, self.allowed_networks,
                                        follow_redirects=self.follow_redirects, resolver=self.resolver)
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
