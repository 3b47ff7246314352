"""The archive's full-text index: every version's text, indexed once, in Python-made tokens of two kinds.

* **Words** (jieba, in Rust, with the analysis user dictionary, plus each word's dictionary sub-words:
  财政补贴 → 财政, 补贴, 财政补贴): what unquoted query terms match, so 和平 never matches 人工智能和平台.
* **Characters**: every run of letters and digits as overlapping character pairs, plus the run's last
  character (人工智能 → 人工 工智 智能 能): what quoted phrases match. Any string printed in the text is a
  run of consecutive pairs, so "智能产业" is found inside 人工智能产业 and "政办" inside 沈政办发, whatever
  jieba made of them. Punctuation and spaces end a run, so a phrase never spans one unless it has one.

Chinese has no spaces, and neither SQLite's unicode61 tokenizer nor PostgreSQL's parsers segment it, so the
tokens are made here and stored space-separated. Both dialects hold the same tokens:

* SQLite: one contentless FTS5 table (``search_fts``, rowid = version id) with four columns — title and
  body words, title and body characters — ranked by bm25; phrases match by token positions, exactly.
* PostgreSQL: ``search_versions`` with a weighted words tsvector (title A, body B) and a GIN index, a
  position-free tsvector of the character pairs (GIN) that narrows phrase candidates, and the folded
  text (``plain``) a phrase is then verified in with ``strpos``. Character pairs cannot carry positions
  in a tsvector (positions stop at 16,383 and 256 per lexeme), hence the verification.

The same ``searchable`` folding (NFKC, Simplified script, lower case, line wraps inside a sentence removed)
runs at index and at query time, so 補貼 finds 补贴 and 人工智\\n能 is one word.

Why an explicit ``index_version`` call instead of SQL triggers: a trigger cannot run jieba (SQLite would
need a Python function registered on every connection, PostgreSQL a plpython extension we do not have),
so the store stage calls ``index_version`` in the transaction that adds the version. A version's text
never changes, so its index row is written once; ``rebuild_index`` rewrites all of them (after a change of
tokenizer or dictionary). Every filter reads the ``documents`` row at query time, so metadata changes
(status removed, re-analysis) need no re-indexing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from core.errors import SearchError
from storage.models import DocumentVersion
from zhtext.normalize import fold_width, matching_form, unwrap

SQLITE_TABLE = "search_fts"
PG_TABLE = "search_versions"

_WORD = re.compile(r"\w")
RUN = re.compile(r"[^\W_]+")  # letters and digits: what FTS5's unicode61 tokenizer keeps in a token


def searchable(text: str) -> str:
    """The form that is indexed and searched: NFKC, Simplified script, wrapped lines joined."""
    return unwrap(matching_form(fold_width(text or "")))


@lru_cache(maxsize=1)
def segmenter():  # type: ignore[no-untyped-def]
    """The index's word segmenter: jieba's algorithm in Rust (rjieba; the Python jieba the analysis uses
    segments ~0.4 M characters a second, too slow to index an archive of a billion), with the analysis
    user dictionary added, so 人工智能 or 黔东南州 stay one word. Index and queries both use this one,
    so they always agree."""
    import rjieba

    segment = rjieba.Jieba()
    userdict = resources.files("zhtext.data").joinpath("userdict.txt").read_text(encoding="utf-8")
    for line in userdict.splitlines():
        word, freq, *tag = line.split()
        segment.add_word(word, int(freq), tag[0] if tag else None)
    return segment


def _words(folded: str) -> str:
    """jieba's search-mode words (each word, and its 2- and 3-character dictionary sub-words), plus the
    longer dictionary words inside a long word, which search mode leaves out: 新一代人工智能 → 人工智能."""
    segment = segmenter()
    words = [w for w in segment.cut_for_search(folded, False) if _WORD.search(w)]
    longer = [inner for w in words if len(w) > 4 for inner in segment.cut_all(w) if 3 < len(inner) < len(w)]
    return " ".join(words + longer)


def index_words(text: str) -> str:
    """Space-separated words to index (``_words`` of the folded, lower-cased text)."""
    return _words(searchable(text).lower())


def runs(text: str) -> list[str]:
    """The runs of letters and digits of the folded, lower-cased text (what phrases are made of)."""
    return RUN.findall(searchable(text).lower())


def run_tokens(run: str, closed: bool = True) -> list[str]:
    """A run's character tokens: its overlapping pairs, then (``closed``) its last character alone."""
    pairs = list(map("".join, pairwise(run)))
    return [*pairs, run[-1]] if closed and run else pairs


def dialect_of(conn: Session | Connection) -> str:
    return conn.dialect.name if isinstance(conn, Connection) else conn.get_bind().dialect.name


def _is_indexed(conn: Session | Connection, dialect: str, version_id: int) -> bool:
    table = SQLITE_TABLE if dialect == "sqlite" else PG_TABLE
    key = "rowid" if dialect == "sqlite" else "version_id"
    return conn.execute(text(f"SELECT 1 FROM {table} WHERE {key} = :id"), {"id": version_id}).first() is not None


def _forms(text: str) -> tuple[str, str, str]:
    """(words, character tokens, plain form) of one text, folded once."""
    folded = searchable(text).lower()
    found = RUN.findall(folded)
    words = _words(folded)
    chars = " ".join(token for run in found for token in run_tokens(run))
    return words, chars, " ".join(found)


def index_row(version_id: int, title: str, body: str) -> dict[str, object]:
    """Every token of one version, ready for ``store_rows`` (pure Python: the costly part of indexing)."""
    title_words, title_chars, title_plain = _forms(title)
    body_words, body_chars, body_plain = _forms(body)
    return {"id": version_id, "title": title_words, "body": body_words, "title_chars": title_chars,
            "body_chars": body_chars, "plain": title_plain + "\n" + body_plain}


def store_rows(conn: Session | Connection, rows: Iterable[dict[str, object]]) -> None:
    """Insert index rows made by ``index_row`` (versions not yet indexed; many at a time)."""
    batch = list(rows)
    if not batch:
        return
    dialect = dialect_of(conn)
    if dialect == "sqlite":
        conn.execute(
            text(f"INSERT INTO {SQLITE_TABLE}(rowid, title, body, title_chars, body_chars) "
                 "VALUES (:id, :title, :body, :title_chars, :body_chars)"),
            batch,
        )
    elif dialect == "postgresql":
        for row in batch:
            tokens = f"{row['title_chars']} {row['body_chars']}".split()
            row["grams"] = " ".join(sorted(set(tokens))) or " "
        conn.execute(
            text(
                f"INSERT INTO {PG_TABLE} (version_id, tsv, grams, plain) VALUES (:id, "
                "setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :body), 'B'), "
                "array_to_tsvector(array_remove(string_to_array(:grams, ' '), '')), :plain)"
            ),
            batch,
        )
    else:
        raise SearchError(f"full-text search is not implemented for {dialect}")


def index_version(session: Session, version: DocumentVersion) -> None:
    """Index one stored version; a version already indexed is left as it is (its text never changes)."""
    session.flush()  # the version needs its id
    dialect = dialect_of(session)
    if not _is_indexed(session, dialect, version.id):
        store_rows(session, [index_row(version.id, version.title, version.text)])


def clear_index(conn: Session | Connection) -> None:
    """Remove every index row (``rebuild_index`` starts from this)."""
    if dialect_of(conn) == "sqlite":
        conn.execute(text(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('delete-all')"))
    else:
        conn.execute(text(f"DELETE FROM {PG_TABLE}"))


def _stored_versions(conn: Session | Connection, batch: int) -> Iterator[list[tuple[int, str, str]]]:
    ids = list(conn.execute(select(DocumentVersion.id).order_by(DocumentVersion.id)).scalars())
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        yield [
            (row.id, row.title, row.text)
            for row in conn.execute(
                select(DocumentVersion.id, DocumentVersion.title, DocumentVersion.text).where(
                    DocumentVersion.id.in_(chunk)
                )
            )
        ]


def rebuild_index(conn: Session | Connection, batch: int = 500) -> int:
    """(Re)index every stored version, a batch at a time (the 0007 backfill); returns the count."""
    clear_index(conn)
    indexed = 0
    for versions in _stored_versions(conn, batch):
        store_rows(conn, [index_row(*version) for version in versions])
        indexed += len(versions)
    return indexed
