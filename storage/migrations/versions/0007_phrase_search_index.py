"""phrase search index

The search index gains a character index beside the word index, so a quoted phrase finds whatever is
printed (``storage.search_index``): SQLite's FTS5 table becomes contentless with four columns (title and
body words, title and body character pairs); PostgreSQL's table gains a position-free tsvector of the
character pairs (GIN) and the folded text phrases are verified in. Every stored version is re-indexed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:30:00
"""

import logging

from alembic import op

from storage.search_index import PG_TABLE, SQLITE_TABLE, rebuild_index

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def _create() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5("
            "title, body, title_chars, body_chars, content='', tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        op.execute(
            f"CREATE TABLE {PG_TABLE} ("
            "version_id INTEGER PRIMARY KEY REFERENCES document_versions (id) ON DELETE CASCADE, "
            "tsv TSVECTOR NOT NULL, grams TSVECTOR NOT NULL, plain TEXT NOT NULL)"
        )
        op.execute(f"CREATE INDEX ix_{PG_TABLE}_tsv ON {PG_TABLE} USING GIN (tsv)")
        op.execute(f"CREATE INDEX ix_{PG_TABLE}_grams ON {PG_TABLE} USING GIN (grams)")


def upgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE if op.get_bind().dialect.name == 'sqlite' else PG_TABLE}")
    _create()
    indexed = rebuild_index(op.get_bind())
    if indexed:
        log.info("search index rebuilt with %d stored versions", indexed)


def downgrade() -> None:
    # The 0004 layout: rebuilt empty; run 0004's upgrade path (or upgrade again) to fill it.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
        op.execute(f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5("
                   "title, body, tokenize = 'unicode61 remove_diacritics 0')")
    else:
        op.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
        op.execute(f"CREATE TABLE {PG_TABLE} ("
                   "version_id INTEGER PRIMARY KEY REFERENCES document_versions (id) ON DELETE CASCADE, "
                   "tsv TSVECTOR NOT NULL)")
        op.execute(f"CREATE INDEX ix_{PG_TABLE}_tsv ON {PG_TABLE} USING GIN (tsv)")
