"""archive search

Full-text structures for ``storage.search``, one per dialect, filled from the versions already stored:
SQLite gets an FTS5 table (rowid = version id), PostgreSQL a tsvector table with a GIN index. Both
hold jieba-segmented words; the text itself stays in ``document_versions``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 01:40:00
"""

from alembic import op

from storage.search_index import PG_TABLE, SQLITE_TABLE

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 0')"
        )
    elif bind.dialect.name == "postgresql":
        op.execute(
            f"CREATE TABLE {PG_TABLE} ("
            "version_id INTEGER PRIMARY KEY REFERENCES document_versions (id) ON DELETE CASCADE, "
            "tsv TSVECTOR NOT NULL)"
        )
        op.execute(f"CREATE INDEX ix_{PG_TABLE}_tsv ON {PG_TABLE} USING GIN (tsv)")
    else:
        raise RuntimeError(f"archive search supports SQLite and PostgreSQL, not {bind.dialect.name}")
    # The backfill is 0007's: it rebuilds the index in its current layout.


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
    else:
        op.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
