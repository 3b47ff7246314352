"""Accounts and API keys: tokens shown once and stored hashed, revocable, last use recorded; the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from core.errors import InvalidRequest
from policywatch.cli.main import main
from storage.accounts import (
    OPERATOR_ACCOUNT,
    account_by_name,
    authenticate,
    create_account,
    create_key,
    hash_token,
    revoke_key,
)
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import ApiKey, Subscription


@pytest.fixture
def factory(db_url: str) -> sessionmaker[Session]:
    engine = make_engine(db_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def test_key_is_stored_only_as_its_hash_and_authenticates_its_account(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        account = create_account(session, "咨询公司A")
        made = create_key(session, account, "ci")
        account_id = made.key.account_id
    with transaction(factory) as session:
        stored = session.scalars(select(ApiKey)).one()
        assert stored.token_hash == hash_token(made.token) and made.token not in (stored.token_hash, stored.prefix)
        assert stored.last_used_at is None
        found = authenticate(session, made.token)
        assert found is not None and found.id == account_id
    with transaction(factory) as session:
        assert session.scalars(select(ApiKey)).one().last_used_at is not None
        assert authenticate(session, made.token + "x") is None
        assert authenticate(session, "Bearer nothing") is None


def test_revoked_key_no_longer_authenticates(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        made = create_key(session, create_account(session, "team"), "laptop")
    with transaction(factory) as session:
        revoke_key(session, made.key.id)
    with transaction(factory) as session:
        assert authenticate(session, made.token) is None


def test_account_names_are_unique(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        create_account(session, "team")
        with pytest.raises(InvalidRequest, match="exists already"):
            create_account(session, "team")


def test_toml_subscriptions_sync_into_the_operator_account_without_touching_others(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        other = create_account(session, "client")
        session.add(Subscription(name="gd", channel="file", account_id=other.id))
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="gd", channel="email", target="a@b.cn")],
                           deactivate_missing=True)
    with transaction(factory) as session:
        rows = session.scalars(select(Subscription).order_by(Subscription.id)).all()
        owners = {row.account_id: (row.channel, row.active) for row in rows}
        operator = session.scalar(select(Subscription.account_id).where(Subscription.channel == "email"))
        assert len(rows) == 2 and owners[other.id] == ("file", True) and owners[operator] == ("email", True)
        assert account_by_name(session, OPERATOR_ACCOUNT).id == operator


def test_accounts_cli_creates_lists_makes_and_revokes_keys(tmp_path: Path) -> None:
    env = {"POLICYWATCH_VAR_DIR": str(tmp_path), "POLICYWATCH_CONFIG": ""}
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    assert "created" in run("accounts", "create", "consultancy")
    made = run("accounts", "keys", "create", "consultancy", "--name", "ci")
    token = re.search(r"(pwk_\S+)", made).group(1)
    key_id = re.search(r"key (\d+)", made).group(1)
    listed = run("accounts", "keys", "list", "consultancy")
    assert "ci" in listed and token[:12] in listed and token not in listed
    assert "consultancy" in run("accounts", "list")
    assert "revoked" in run("accounts", "keys", "revoke", key_id)
    engine = make_engine(f"sqlite:///{tmp_path / 'policywatch.db'}")
    try:
        with transaction(session_factory(engine)) as session:
            assert authenticate(session, token) is None
    finally:
        engine.dispose()
    missing = runner.invoke(main, ["accounts", "keys", "list", "nobody"], env=env)
    assert missing.exit_code != 0 and "no account named 'nobody'" in missing.output
