"""Archive search at small scale (``make bench``): 10,000 generated documents (``bench.archive_corpus``)
built into a temporary SQLite file and a fresh PostgreSQL database, then each query class timed against
a scan of the same texts (``bench.search_measure``). ``make bench-archive`` runs the same at 1,000,000."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import Row
from bench.search_measure import build, report
from storage.db import make_engine
from tools.postgres import TestPostgres

DOCUMENTS = 10_000


@contextmanager
def _postgres() -> Iterator[str]:
    """A throw-away database on the embedded PostgreSQL server (or POLICYWATCH_TEST_POSTGRES_URL's)."""
    server = TestPostgres.start()
    url = server.create_database("pwbench")
    try:
        yield url
    finally:
        server.drop_database(url)


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp, _postgres() as url:
        engines = {"search sqlite": make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}"),
                   "search postgres": make_engine(url)}
        return report(build(list(engines.values()), DOCUMENTS), engines, repeat=3, scan_repeat=2)
