"""The archive's full-text index: text segmented into words once, in Python, and stored per version.

Chinese has no spaces, and neither SQLite's unicode61 tokenizer nor PostgreSQL's parsers segment it, so
text is segmented in Python (jieba with the analysis user dictionary) and stored as space-separated
words: SQLite keeps them in an FTS5 table ranked by bm25, PostgreSQL in a ``simple`` tsvector with a GIN
index ranked by ts_rank. The same ``searchable`` normalisation (NFKC, Simplified script, line wraps
inside a sentence removed) runs at index and at query time, so 補貼 finds 补贴 and 人工智\\n能 is one word.

Why an explicit ``index_version`` call instead of SQL triggers: a trigger cannot run jieba (SQLite would
need a Python function registered on every connection, PostgreSQL a plpython extension we do not have),
so the store stage calls ``index_version`` in the transaction that adds the version. Only texts are
indexed, one row per version; every filter reads the ``documents`` row at query time, so metadata
changes (status removed, re-analysis) need no re-indexing.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from core.errors import SearchError
from storage.models import DocumentVersion
from zhtext.normalize import fold_width, matching_form, unwrap

SQLITE_TABLE = "search_fts"
PG_TABLE = "search_versions"

_WORD = re.compile(r"\w")
_TERM = re.compile(r'["“”]([^"“”]+)["“”]|([^\s"“”]+)')


def searchable(text: str) -> str:
    """The form that is indexed and searched: NFKC, Simplified script, wrapped lines joined."""
    return unwrap(matching_form(fold_width(text or "")))


def index_words(text: str) -> str:
    """Space-separated words to index: jieba words plus their dictionary sub-words, lower-cased."""
    from zhtext.tokenize import tokenizer

    words = tokenizer().cut_for_search(searchable(text).lower(), HMM=False)
    return " ".join(w for w in words if _WORD.search(w))


def query_terms(query: str) -> list[tuple[str, ...]]:
    """What every hit must contain: single words (each unquoted term segmented like the text) and, for a
    term in double quotes, its words one after another (a phrase)."""
    from zhtext.tokenize import tokenizer

    terms: list[tuple[str, ...]] = []
    for quoted, bare in _TERM.findall(searchable(query).lower()):
        words = tuple(w for w in tokenizer().lcut(quoted or bare, HMM=False) if _WORD.search(w))
        parts = [words] if quoted and len(words) > 1 else [(w,) for w in words]
        terms.extend(part for part in parts if part not in terms)
    return terms


def dialect_of(conn: Session | Connection) -> str:
    return conn.dialect.name if isinstance(conn, Connection) else conn.get_bind().dialect.name


def _index_row(conn: Session | Connection, version_id: int, title: str, body: str) -> None:
    store_words(conn, version_id, index_words(title), index_words(body))


def store_words(conn: Session | Connection, version_id: int, title_words: str, body_words: str) -> None:
    """Write (or replace) the index row of a version from words already made by ``index_words``."""
    dialect = dialect_of(conn)
    params = {"id": version_id, "title": title_words, "body": body_words}
    if dialect == "sqlite":
        conn.execute(text(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = :id"), {"id": version_id})
        conn.execute(text(f"INSERT INTO {SQLITE_TABLE}(rowid, title, body) VALUES (:id, :title, :body)"), params)
    elif dialect == "postgresql":
        conn.execute(
            text(
                f"INSERT INTO {PG_TABLE} (version_id, tsv) VALUES (:id, "
                "setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :body), 'B')) "
                "ON CONFLICT (version_id) DO UPDATE SET tsv = EXCLUDED.tsv"
            ),
            params,
        )
    else:
        raise SearchError(f"full-text search is not implemented for {dialect}")


def index_version(session: Session, version: DocumentVersion) -> None:
    """Index one stored version (idempotent: a re-index replaces the row). Call it when adding a version."""
    session.flush()  # the version needs its id
    _index_row(session, version.id, version.title, version.text)


def rebuild_index(conn: Session | Connection, batch: int = 200) -> int:
    """(Re)index every stored version, a batch at a time (used by the 0004 backfill); returns the count."""
    ids = list(conn.execute(select(DocumentVersion.id).order_by(DocumentVersion.id)).scalars())
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        rows = conn.execute(
            select(DocumentVersion.id, DocumentVersion.title, DocumentVersion.text).where(
                DocumentVersion.id.in_(chunk)
            )
        ).all()
        for version_id, title, body in rows:
            _index_row(conn, version_id, title, body)
    return len(ids)
