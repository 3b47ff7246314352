"""Accounts and their API keys: create, list, revoke, and find the account a presented token belongs to.

A key is a random token (``pwk_`` + 32 random bytes, URL-safe) shown once when it is made; only its
SHA-256 is stored. A plain hash is enough because the token carries 256 bits of randomness (nothing to
brute-force as with a password), and it lets a request be authenticated with one indexed lookup.
Functions take a Session and never commit: the command or the request owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidRequest, NotFound
from storage.models import Account, ApiKey

OPERATOR_ACCOUNT = "operator"
TOKEN_PREFIX = "pwk_"
SHOWN_PREFIX_CHARS = 12


@dataclass(frozen=True)
class NewKey:
    """A key just made: the row, and the token itself — the only time it exists outside the client."""

    key: ApiKey
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_account(session: Session, name: str) -> Account:
    name = name.strip()
    if not name:
        raise InvalidRequest("an account needs a name")
    if session.scalar(select(Account).where(Account.name == name)) is not None:
        raise InvalidRequest(f"an account named {name!r} exists already")
    account = Account(name=name)
    session.add(account)
    session.flush()
    return account


def ensure_account(session: Session, name: str) -> Account:
    """The account of that name, created when missing (the operator's account for the TOML file)."""
    account = session.scalar(select(Account).where(Account.name == name))
    return account if account is not None else create_account(session, name)


def account_by_name(session: Session, name: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise NotFound(f"no account named {name!r}")
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.id)))


def create_key(session: Session, account: Account, name: str) -> NewKey:
    name = name.strip()
    if not name:
        raise InvalidRequest("a key needs a name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(account_id=account.id, name=name, token_hash=hash_token(token), prefix=token[:SHOWN_PREFIX_CHARS])
    session.add(key)
    session.flush()
    return NewKey(key, token)


def list_keys(session: Session, account: Account) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.account_id == account.id).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int, now: datetime | None = None) -> ApiKey:
    """Revoke a key (idempotent: a revoked key keeps its first revocation time)."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key with id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = now or datetime.now(UTC)
    session.flush()
    return key


def authenticate(session: Session, token: str, now: datetime | None = None) -> Account | None:
    """The account a live key belongs to (and its last use recorded), or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.token_hash == hash_token(token)))
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = now or datetime.now(UTC)
    session.flush()
    return session.get(Account, key.account_id)
