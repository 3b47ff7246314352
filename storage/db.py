"""Engine and session factory, and schema migration with Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import DatabaseUnavailable, StartupError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"




def make_engine(url: str, echo: bool = False) -> Engine:
    """Engine for a SQLite file or a server URL; SQLite gets WAL and a busy timeout."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith(("postgresql+psycopg://", "sqlite://")):
        shown = url.split("://", 1)[0] + "://…" if "://" in url else repr(url)
        raise StartupError(
            f"unsupported database URL {shown}: use sqlite:///path/to/file.db or postgresql://user@host/db",
            setting="database.url",
        )
    return create_engine(url, echo=echo, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe to call on every start)."""
    try:
        command.upgrade(alembic_config(engine), "head")
    except DBAPIError as exc:
        if not is_transient(exc):
            raise
        raise DatabaseUnavailable(f"cannot migrate the database: {exc}") from exc


def describe_url(url: str) -> str:
    """The database URL as an operator should see it: the file, or the server URL without password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("://", 1)[0] + "://…"


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration (what /readyz asks)."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


# SQLSTATE classes a later attempt may get past: connection (08), insufficient resources such as a full
# disk (53), operator intervention such as a shutdown or ALLOW_CONNECTIONS false (57), rollbacks caused
# by concurrency (40); and 25006, a read-only transaction (default_transaction_read_only).
TRANSIENT_SQLSTATES = ("08", "53", "57", "40", "25006")


def is_transient(exc: DBAPIError) -> bool:
    """Whether a database error means "cannot write now" (locked, full, read-only, gone) rather than a bug.
    SQLite reports all of those (``database is locked``, ``disk is full``, ``readonly database``,
    ``unable to open``) as OperationalError."""
    if isinstance(exc, OperationalError):
        return True
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    return bool(sqlstate) and sqlstate.startswith(TRANSIENT_SQLSTATES)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error.

    A database that cannot take the work now (gone, locked, full, read-only: ``is_transient``) raises
    DatabaseUnavailable, so stages rewind and retry instead of dead-lettering.
    """
    session = factory()
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        if is_transient(exc):
            raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
