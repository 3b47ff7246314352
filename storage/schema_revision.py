"""Which Alembic revision a database is at, and which one the code expects (``policywatch db upgrade``,
``policywatch config check``)."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from core.errors import DatabaseUnavailable
from storage.db import alembic_config


def head_revision(engine: Engine) -> str:
    """The newest migration this code knows."""
    return str(ScriptDirectory.from_config(alembic_config(engine)).get_current_head())


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: an empty database). DatabaseUnavailable if it does not answer."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailable(f"cannot read the schema revision: {str(exc).splitlines()[0]}") from exc
