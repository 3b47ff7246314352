"""Archive search: the full-text index (``storage.search``) against a scan of the texts, same corpus.

A corpus of synthetic documents is composed from the seed plans' paragraphs (5 000 documents of 3–6
paragraphs, ~3 M characters), stored through the real migrations in a temporary SQLite file and, when
the local server answers, in a fresh PostgreSQL database, then indexed with ``rebuild_index`` (the
0004 backfill path; PostgreSQL gets the same words, copied). For each query: ``search()`` (ranked top 20 with snippets) and ``count()`` vs the
scan an archive without an index would run — ``instr`` (SQLite) / ``strpos`` (PostgreSQL) over the
latest versions, ordered by issue date, top 20 — and a scan count. Figures are p50 milliseconds.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text

from bench import Row
from storage.db import make_engine, migrate, session_factory
from storage.models import Document, DocumentVersion
from storage.search import SearchQuery, count, search
from storage.search_index import SQLITE_TABLE, rebuild_index, store_words
from tools.postgres import TestPostgres

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
DOCUMENTS = 5000
REPEAT = 9
REGIONS = ("440300", "440115", "210100", "310112", "450200", "330100")
QUERIES = {"2-char term 补贴": "补贴", "common term 人工智能": "人工智能", "two terms 算力 补贴": "算力 补贴",
           "long term 智能网联汽车": "智能网联汽车"}


def _corpus() -> Iterator[tuple[dict[str, object], dict[str, object]]]:
    paragraphs = [line.strip() for path in sorted(SEEDS.glob("*.txt"))
                  for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) >= 20]
    rng = random.Random(2026)
    now = datetime.now(UTC)
    for i in range(1, DOCUMENTS + 1):
        body = "\n".join(rng.sample(paragraphs, rng.randint(3, 6)))
        title = f"关于印发第{i}号人工智能政策的通知"
        yield (
            {"id": i, "key": f"bench{i}", "source_id": "bench", "url": f"https://gov.example.cn/{i}.html",
             "title": title, "issuers": [], "topics": [], "region_code": rng.choice(REGIONS),
             "issue_date": date(2017, 1, 1) + timedelta(days=rng.randrange(3000)), "status": "active",
             "missing_count": 0, "last_missing_crawl": "", "first_seen": now, "last_seen": now,
             "latest_version_id": i},
            {"id": i, "document_id": i, "seq": 1, "content_hash": f"{i:064x}", "body_sha256": "",
             "fetched_at": now, "title": title, "text": body, "analysis": {}, "warc_record": "", "created_at": now},
        )


def _fill(engine: Engine, words_from: Engine | None = None) -> float:
    """Store the corpus and index it (segmenting again, or copying the words ``words_from`` already made:
    segmentation is the same Python code for both databases); returns the indexing seconds."""
    migrate(engine)
    documents, versions = zip(*_corpus(), strict=True)
    with engine.begin() as conn:
        conn.execute(insert(Document), list(documents))
        conn.execute(insert(DocumentVersion), list(versions))
    start = time.perf_counter()
    with engine.begin() as conn:
        if words_from is None:
            rebuild_index(conn)
        else:
            with words_from.connect() as source:
                for row in source.execute(text(f"SELECT rowid, title, body FROM {SQLITE_TABLE}")):
                    store_words(conn, row.rowid, row.title, row.body)
    elapsed = time.perf_counter() - start
    if engine.dialect.name == "postgresql":
        # Steady state: autovacuum would have merged the GIN pending list and gathered statistics.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return elapsed


def _p50_ms(fn: Callable[[], object]) -> float:
    fn()  # warm the cache
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _scan_sql(dialect: str, terms: list[str], counting: bool) -> str:
    find = "instr(v.text, :t{i}) > 0" if dialect == "sqlite" else "strpos(v.text, :t{i}) > 0"
    where = " AND ".join(find.format(i=i) for i in range(len(terms)))
    head = "SELECT count(*)" if counting else "SELECT d.id"
    tail = "" if counting else " ORDER BY d.issue_date DESC LIMIT 20"
    return (f"{head} FROM documents d JOIN document_versions v ON v.id = d.latest_version_id "
            f"WHERE d.status = 'active' AND {where}{tail}")


def _measure(engine: Engine, label: str, build_s: float, built: str) -> list[Row]:
    dialect = engine.dialect.name
    scan_name = "instr() scan" if dialect == "sqlite" else "strpos() scan"
    rows = []
    with session_factory(engine)() as session:
        for name, query_text in QUERIES.items():
            terms = query_text.split()
            params = {f"t{i}": t for i, t in enumerate(terms)}
            query = SearchQuery(query_text, limit=20)
            found = count(session, query)
            scanned = session.execute(text(_scan_sql(dialect, terms, True)), params).scalar()
            ours = _p50_ms(lambda q=query: search(session, q))
            base = _p50_ms(lambda p=params, t=terms: session.execute(text(_scan_sql(dialect, t, False)), p).all())
            rows.append(Row(f"search {label}: {name}", ours, base, "ms p50", f"{scan_name}, date order",
                            f"{found} hits (scan {scanned}); top 20 ranked + snippets"))
        query = SearchQuery("补贴")
        params = {"t0": "补贴"}
        ours = _p50_ms(lambda: count(session, query))
        base = _p50_ms(lambda: session.execute(text(_scan_sql(dialect, ["补贴"], True)), params).scalar())
        rows.append(Row(f"count {label}: 补贴", ours, base, "ms p50", f"{scan_name} count",
                        f"{DOCUMENTS} docs; {built} in {build_s:.1f} s"))
    return rows


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
    rows = []
    with tempfile.TemporaryDirectory() as tmp, _postgres() as url:
        lite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            rows += _measure(lite, "sqlite", _fill(lite), "index built (jieba + FTS5)")
            engine = make_engine(url)
            try:
                rows += _measure(engine, "postgres", _fill(engine, lite), "words copied, tsvector built")
            finally:
                engine.dispose()
        finally:
            lite.dispose()
    return rows
