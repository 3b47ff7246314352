"""Building a generated archive into SQLite and PostgreSQL, and timing search on it against a scan.

Shared by ``bench_search`` (10,000 documents, in ``make bench``) and ``bench.archive`` (1,000,000, ``make
bench-archive``). The archive (``bench.archive_corpus``) is inserted in batches; each batch's index rows
are made once in Python (jieba words, character pairs: the costly part) and written to every database, so
the build time of each is the shared tokenizing plus its own writes. PostgreSQL's GIN indexes are created
after the bulk load, as one loads an archive.

Each query class has several queries, each run ``repeat`` times after one warm-up; the figure is the p95
over all those runs. The baseline is the scan an archive without an index runs: ``instr`` (SQLite) /
``strpos`` (PostgreSQL) of each term in the latest texts, newest 20 first, in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import Engine, insert, text

from bench import Row
from bench.archive_corpus import documents
from storage.db import migrate, session_factory
from storage.models import Document, DocumentVersion
from storage.search import SearchQuery, count, search
from storage.search_facets import facets
from storage.search_index import PG_TABLE, SQLITE_TABLE, index_row, store_rows

QUERIES: dict[str, tuple[str, ...]] = {
    "rare term": ("养老", "海洋", "碳达峰", "疫情"),
    "common term": ("人工智能", "发展", "产业", "企业"),
    "two terms": ("算力 补贴", "人工智能 人才", "数据 安全", "机器人 资金"),
    "phrase": ('"智能产业"', '"政办"', '"数字经济"', '"人工智能产业发展"'),
}
PG_INDEXES = {f"ix_{PG_TABLE}_tsv": "tsv", f"ix_{PG_TABLE}_grams": "grams"}


@dataclass
class Build:
    documents: int = 0
    characters: int = 0
    tokenize_s: float = 0.0
    store_s: dict[str, float] = field(default_factory=dict)
    index_s: dict[str, float] = field(default_factory=dict)
    index_bytes: dict[str, int] = field(default_factory=dict)

    def index_build_s(self, dialect: str) -> float:
        return self.tokenize_s + self.index_s.get(dialect, 0.0)


def _batches(count: int, size: int) -> Iterator[list[tuple[dict[str, object], dict[str, object]]]]:
    generated = documents(count)
    while batch := list(islice(generated, size)):
        yield batch


def build(engines: list[Engine], count: int, batch: int = 2000, progress: Callable[[int], None] | None = None
          ) -> Build:
    """Store and index ``count`` generated documents in every engine (migrated first)."""
    stats = Build()
    for engine in engines:
        migrate(engine)
        stats.store_s[engine.dialect.name] = stats.index_s[engine.dialect.name] = 0.0
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                for name in PG_INDEXES:
                    conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for rows in _batches(count, batch):
        docs, versions = zip(*rows, strict=True)
        start = time.perf_counter()
        index_rows = [index_row(int(v["id"]), str(v["title"]), str(v["text"])) for v in versions]  # type: ignore[call-overload]
        stats.tokenize_s += time.perf_counter() - start
        stats.documents += len(rows)
        stats.characters += sum(len(str(v["text"])) for v in versions)
        for engine in engines:
            dialect = engine.dialect.name
            with engine.begin() as conn:
                start = time.perf_counter()
                conn.execute(insert(Document), list(docs))
                conn.execute(insert(DocumentVersion), list(versions))
                middle = time.perf_counter()
                store_rows(conn, [dict(row) for row in index_rows])
                stats.store_s[dialect] += middle - start
                stats.index_s[dialect] += time.perf_counter() - middle
        if progress is not None:
            progress(stats.documents)
    for engine in engines:
        stats.index_s[engine.dialect.name] += _finish(engine)
        stats.index_bytes[engine.dialect.name] = index_bytes(engine)
    return stats


def _finish(engine: Engine) -> float:
    """Merge (SQLite) or create (PostgreSQL) the index structures after the load; returns the seconds."""
    start = time.perf_counter()
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('optimize')"))
        elapsed = time.perf_counter() - start
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        return elapsed
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for name, column in PG_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {name} ON {PG_TABLE} USING GIN ({column})"))
    elapsed = time.perf_counter() - start
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return elapsed


def index_bytes(engine: Engine) -> int:
    """Bytes of the search index alone (SQLite: the FTS5 shadow tables; PostgreSQL: table + indexes)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return int(conn.execute(text(
                f"SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '{SQLITE_TABLE}%'")).scalar() or 0)
        return int(conn.execute(text(f"SELECT pg_total_relation_size('{PG_TABLE}')")).scalar() or 0)


def _p95_ms(calls: list[Callable[[], object]], repeat: int) -> float:
    times = []
    for call in calls:
        call()  # warm
        for _ in range(repeat):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else 0.0


def _scan(dialect: str, query_text: str) -> str:
    find = "instr(v.text, :t{i}) > 0" if dialect == "sqlite" else "strpos(v.text, :t{i}) > 0"
    terms = query_text.replace('"', "").split()
    where = " AND ".join(find.format(i=i) for i in range(len(terms)))
    return (f"SELECT d.id FROM documents d JOIN document_versions v ON v.id = d.latest_version_id "
            f"WHERE d.status = 'active' AND {where} ORDER BY d.issue_date DESC LIMIT 20")


def _scan_params(query_text: str) -> dict[str, str]:
    return {f"t{i}": t for i, t in enumerate(query_text.replace('"', "").split())}


def measure(engine: Engine, label: str, repeat: int, scan_repeat: int, note: str) -> list[Row]:
    """p95 per query class: first page, page with count and facets, facets alone — against the scan."""
    dialect = engine.dialect.name
    scan_name = ("instr()" if dialect == "sqlite" else "strpos()") + " scan, newest 20"
    rows = []
    with session_factory(engine)() as session:
        for name, texts in QUERIES.items():
            queries = [SearchQuery(t, limit=20) for t in texts]
            hits = [count(session, q) for q in queries]
            scans = [lambda t=t: session.execute(text(_scan(dialect, t)), _scan_params(t)).all() for t in texts]
            base = _p95_ms(scans, scan_repeat)
            first = _p95_ms([lambda q=q: search(session, q) for q in queries], repeat)
            full = _p95_ms([lambda q=q: (search(session, q), count(session, q), facets(session, q))
                            for q in queries], repeat)
            only = _p95_ms([lambda q=q: facets(session, q) for q in queries], repeat)
            spread = f"{min(hits)}–{max(hits)} hits"
            rows.append(Row(f"{label} {name}: first page", first, base, "ms p95", scan_name,
                            f"{spread}; {', '.join(texts)}"))
            rows.append(Row(f"{label} {name}: page+count+facets", full, base, "ms p95", scan_name))
            rows.append(Row(f"{label} {name}: facets alone", only, base, "ms p95", scan_name, note))
    return rows


def build_row(stats: Build, label: str, dialect: str) -> Row:
    """The index build against storing the same documents and texts (both measured in the same load)."""
    size = stats.index_bytes.get(dialect, 0)
    return Row(f"{label}: index build", stats.index_build_s(dialect), stats.store_s.get(dialect, 0.0), "s",
               "inserting the documents and texts",
               f"{stats.documents} docs, {stats.characters / 1e6:.0f} M chars; tokenizing {stats.tokenize_s:.0f} s "
               f"+ writing {stats.index_s.get(dialect, 0):.0f} s; index {size / 2**20:.0f} MiB")


def report(stats: Build, engines: dict[str, Engine], repeat: int, scan_repeat: int) -> list[Row]:
    """Build row and query-class rows of each engine (keyed by its label), disposing of the engines."""
    rows = []
    try:
        for label, engine in engines.items():
            rows.append(build_row(stats, label, engine.dialect.name))
            rows += measure(engine, label, repeat=repeat, scan_repeat=scan_repeat, note=f"{stats.documents} docs")
    finally:
        for engine in engines.values():
            engine.dispose()
    return rows
