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
