"""`policywatch accounts create|list|keys …`: the operator's side of accounts and their API keys.

A key's token is printed once, when it is made; the database keeps only its hash, so a lost token is
replaced (``keys create``) and the old one revoked, never recovered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
from sqlalchemy.orm import Session

from policywatch.cli.context import Context
from policywatch.terminal_tables import render_table


@contextmanager
def _session(obj: Context) -> Iterator[Session]:
    """One transaction on the configured, migrated store."""
    from storage.db import make_engine, migrate, session_factory, transaction

    engine = make_engine(obj.settings().database_url)
    try:
        migrate(engine)
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@click.group()
def accounts() -> None:
    """Accounts (subscribers) and their API keys."""


@accounts.command("create")
@click.argument("name")
@click.pass_obj
def create_cmd(obj: Context, name: str) -> None:
    """Create an account."""
    from storage.accounts import create_account

    with _session(obj) as session:
        account = create_account(session, name)
        click.echo(f"account {account.id} {account.name} created")


@accounts.command("list")
@click.pass_obj
def list_cmd(obj: Context) -> None:
    """Every account, with its subscriptions and live keys."""
    from sqlalchemy import func, select

    from storage.accounts import list_accounts
    from storage.models import ApiKey, Subscription

    with _session(obj) as session:
        rows = []
        for account in list_accounts(session):
            subs = session.scalar(select(func.count()).where(Subscription.account_id == account.id)) or 0
            keys = session.scalar(
                select(func.count()).where(ApiKey.account_id == account.id, ApiKey.revoked_at.is_(None))
            ) or 0
            rows.append({"id": str(account.id), "name": account.name, "subscriptions": str(subs),
                         "live keys": str(keys), "created": _when(account.created_at)})
    click.echo(render_table(rows, ["id", "name", "subscriptions", "live keys", "created"]) if rows else "no accounts")


@accounts.group("keys")
def keys() -> None:
    """An account's API keys: create (the token is shown once), list, revoke."""


@keys.command("create")
@click.argument("account")
@click.option("--name", required=True, help="What the key is for (e.g. the client using it).")
@click.pass_obj
def keys_create_cmd(obj: Context, account: str, name: str) -> None:
    """Make a key for ACCOUNT and print its token (shown this once only)."""
    from storage.accounts import account_by_name, create_key

    with _session(obj) as session:
        made = create_key(session, account_by_name(session, account), name)
        key_id = made.key.id
    click.echo(f"key {key_id} ({name}) for {account}: {made.token}")
    click.echo("the token is shown once; store it now (send it as 'Authorization: Bearer <token>')")


@keys.command("list")
@click.argument("account")
@click.pass_obj
def keys_list_cmd(obj: Context, account: str) -> None:
    """ACCOUNT's keys: prefix, name, created, last used, revoked."""
    from storage.accounts import account_by_name, list_keys

    with _session(obj) as session:
        rows = [
            {"id": str(k.id), "name": k.name, "prefix": k.prefix + "…", "created": _when(k.created_at),
             "last used": _when(k.last_used_at), "revoked": _when(k.revoked_at)}
            for k in list_keys(session, account_by_name(session, account))
        ]
    click.echo(render_table(rows, ["id", "name", "prefix", "created", "last used", "revoked"]) if rows else "no keys")


@keys.command("revoke")
@click.argument("key_id", type=click.IntRange(1, 2**31 - 1))
@click.pass_obj
def keys_revoke_cmd(obj: Context, key_id: int) -> None:
    """Revoke a key: requests with it answer 401 from now on."""
    from storage.accounts import revoke_key

    with _session(obj) as session:
        key = revoke_key(session, key_id)
        click.echo(f"key {key.id} ({key.name}) revoked at {_when(key.revoked_at)}")
