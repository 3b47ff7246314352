"""One-click unsubscribe: a signed token per subscription, its link, and what following it does.

Every alert email carries ``List-Unsubscribe`` (with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``,
RFC 8058) and the same link in its body. The token is the subscription id signed with
``alerts.unsubscribe_secret`` (itsdangerous), so the link needs no login and cannot be forged for
another subscription; it does not expire, because an unsubscribe link in an old alert must still work.
Following it sets ``subscription.unsubscribed_at`` — once; a second click changes nothing — and an
unsubscribed subscription receives nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from core.errors import InvalidRequest
from core.settings import AlertSettings
from storage.models import Subscription

SALT = "policywatch.unsubscribe"


class InvalidUnsubscribeToken(InvalidRequest):
    """The token was not signed with our secret (edited, truncated or from another installation)."""


@dataclass(frozen=True)
class UnsubscribeLinks:
    """Signs and reads unsubscribe tokens; built only when a secret is set (no secret, no links)."""

    secret: str

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> UnsubscribeLinks | None:
        secret = settings.unsubscribe_secret.get_secret_value()
        return cls(secret) if secret else None

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt=SALT)

    def token(self, subscription_id: int) -> str:
        return str(self._serializer().dumps(subscription_id))

    def subscription_id(self, token: str) -> int:
        try:
            value = self._serializer().loads(token)
        except BadSignature as exc:
            raise InvalidUnsubscribeToken("invalid unsubscribe link") from exc
        if not isinstance(value, int):
            raise InvalidUnsubscribeToken("invalid unsubscribe link")
        return value

    def url(self, base_url: str, subscription_id: int) -> str:
        return f"{base_url.rstrip('/')}/unsubscribe/{self.token(subscription_id)}"


def unsubscribe(session: Session, subscription_id: int, now: datetime) -> Subscription | None:
    """Mark the subscription unsubscribed (first time only); None if it no longer exists. Never commits."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is not None and subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = now
    return subscription
