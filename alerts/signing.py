"""Webhook signatures the Standard Webhooks way (https://www.standardwebhooks.com/).

Headers ``webhook-id`` (the alert's stable key, so a receiver can also drop the at-least-once
duplicate), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (``v1,`` + base64 of
HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``, keyed with the base64-decoded part of the subscription's
``whsec_…`` secret). A receiver recomputes it with any Standard Webhooks library and rejects a timestamp
too far from its clock (a replay). Twenty lines of ``hmac`` instead of a dependency: the signing side is
that small, and the tests verify it with the ``standardwebhooks`` package, an independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers (without a secret: id and timestamp only, unsigned)."""
    headers = {"webhook-id": message_id, "webhook-timestamp": str(timestamp)}
    if secret:
        headers["webhook-signature"] = signature(secret, message_id, timestamp, body)
    return headers
