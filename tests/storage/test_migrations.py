"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic import command

from storage.db import alembic_config, make_engine, migrate


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        command.check(alembic_config(engine))  # raises if autogenerate would emit any operation
        migrate(engine)  # a second start is a no-op
    finally:
        engine.dispose()


def test_accounts_migration_moves_existing_subscriptions_alerts_and_deliveries_to_the_operator(db_url: str) -> None:
    """0008 on a database with history: the TOML file's rows so far become the operator account's."""
    from sqlalchemy import text

    engine = make_engine(db_url)
    config = alembic_config(engine)
    try:
        command.upgrade(config, "0007")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO documents (id, key, source_id, url, title, issuers, topics, status, missing_count, "
                "last_missing_crawl, first_seen, last_seen) VALUES (1, 'k', 's', 'u', 't', '[]', '[]', 'active', 0, "
                "'', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO changes (id, dedup_key, document_id, kind, summary, detected_at) "
                "VALUES (1, 'd', 1, 'new', '{}', CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO subscriptions (id, name, channel, target, regions, keywords, topics, change_kinds, "
                "ai_only, active, created_at) VALUES (1, 'gd', 'file', '', '[]', '[]', '[]', '[]', true, true, "
                "CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO alerts (id, change_id, subscription_id, subject, body, payload, created_at) "
                "VALUES (1, 1, 1, 's', 'b', '{}', CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO deliveries (id, alert_id, channel, target, status, attempts, last_error) "
                "VALUES (1, 1, 'file', '', 'sent', 1, '')"))
        command.upgrade(config, "head")
        with engine.connect() as connection:
            operator = connection.execute(text("SELECT id FROM accounts WHERE name = 'operator'")).scalar_one()
            for table in ("subscriptions", "alerts", "deliveries"):
                assert connection.execute(text(f"SELECT account_id FROM {table}")).scalar_one() == operator
            assert connection.execute(text("SELECT keyword_mode FROM subscriptions")).scalar_one() == "word"
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
        command.check(config)
    finally:
        engine.dispose()
