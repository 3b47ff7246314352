"""Alembic environment: runs migrations on the engine handed over by storage.db.migrate."""

from alembic import context
from sqlalchemy import create_engine

from storage import (
    analysis_revisions,  # noqa: F401  (its table is part of the schema)
    domain_slots,  # noqa: F401  (its table is part of the schema)
)
from storage.models import Base

config = context.config
target_metadata = Base.metadata

# Search structures are created by hand in migration 0004 (FTS5 on SQLite, tsvector on PostgreSQL),
# not by models: keep autogenerate from proposing to drop them.
UNMODELLED_TABLES = frozenset({"search_fts", "search_versions"})


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and reflected and (name in UNMODELLED_TABLES or name.startswith("search_fts_")))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table (copy, drop, rename): with foreign keys on, dropping a table
            # that other rows reference fails. Off for the migration only; the pragma is ignored inside a
            # transaction, so it is set before the migration's transaction begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


run_migrations_online()
