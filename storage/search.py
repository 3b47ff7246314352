"""Archive search: full text over document versions (the index is ``storage.search_index``) with
metadata filters, ranked, with highlighted snippets.

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

Matching: every word of the query must occur (AND); the words of a "quoted phrase" must also be
consecutive. Ranking is bm25 (SQLite) or ts_rank (PostgreSQL), a title word weighing more than a body word.
Index time also adds jieba's dictionary sub-words (财政补贴 → 财政, 补贴, 财政补贴), so a 2-character term
inside a longer word is found; a fragment that is not a dictionary word (政办 inside 政办发) is not, and a
quoted phrase starting inside a compound (智能产业 in 人工智能产业) is not consecutive in the index.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from core.errors import SearchError
from storage.models import Document, DocumentVersion
from storage.search_index import PG_TABLE, SQLITE_TABLE, dialect_of, query_terms, searchable
from storage.validity import in_force_condition
from zhtext.docnumbers import normalize_doc_number
from zhtext.normalize import matching_form, squash
from zhtext.regions import lookup

# bm25 column weights (title, body): a word in the title counts as much as four in the body.
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0
STATUSES = ("active", "removed")


@dataclass(frozen=True)
class SearchQuery:
    """Full text (optional) and filters; ``status=None`` means active and removed documents."""

    text: str = ""
    region: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    doc_type: str | None = None
    ai_label: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    in_force: date | None = None
    status: str | None = "active"
    all_versions: bool = False
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    """One matching document (or version, with ``all_versions``); ``snippet`` is HTML-escaped with <mark>."""

    id: int
    version_id: int
    seq: int
    title: str
    doc_number: str | None
    issuers: list[str]
    region: dict[str, str | None]
    issue_date: date | None
    publish_date: date | None
    effective_date: date | None
    expiry_date: date | None
    doc_type: str | None
    ai_label: str | None
    status: str
    url: str
    score: float
    snippet: str = ""
    latest: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("issue_date", "publish_date", "effective_date", "expiry_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


# -- querying -----------------------------------------------------------------------------------------

def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _region_filter(name: str) -> ColumnElement[bool]:
    """A province includes its cities and districts, a city its districts (GB/T 2260 code prefixes)."""
    ref = lookup(name)
    if ref is None:
        raise SearchError(f"unknown or ambiguous region: {name}")
    if ref.level == "provincial":
        return Document.region_code.like(ref.code[:2] + "%")
    if ref.level == "municipal":
        return Document.region_code.like(ref.code[:4] + "%")
    return Document.region_code == ref.code


def _issuer_filter(dialect: str, issuer: str) -> ColumnElement[bool]:
    # SQLite stores JSON with \\u escapes, so compare decoded array elements, not the JSON text.
    pattern = f"%{_like_escape(matching_form(issuer.strip()))}%"
    if dialect == "sqlite":
        sql = "EXISTS (SELECT 1 FROM json_each(documents.issuers) AS e WHERE e.value LIKE :issuer ESCAPE '\\')"
    else:
        sql = ("EXISTS (SELECT 1 FROM jsonb_array_elements_text(documents.issuers) AS e(name) "
               "WHERE e.name LIKE :issuer ESCAPE '\\')")
    return text(sql).bindparams(issuer=pattern)  # type: ignore[return-value]


def _doc_number_filter(raw: str) -> ColumnElement[bool]:
    """A full 文号 in any bracket style matches its canonical form; a fragment matches as a substring."""
    canonical = normalize_doc_number(raw)
    if canonical:
        return Document.doc_number == canonical
    return Document.doc_number.like(f"%{_like_escape(squash(raw))}%", escape="\\")


def _filters(query: SearchQuery, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.status is not None:
        if query.status not in STATUSES:
            raise SearchError(f"status must be one of {', '.join(STATUSES)}")
        conditions.append(Document.status == query.status)
    if query.region:
        conditions.append(_region_filter(query.region))
    if query.issuer:
        conditions.append(_issuer_filter(dialect, query.issuer))
    if query.doc_number:
        conditions.append(_doc_number_filter(query.doc_number))
    if query.doc_type:
        conditions.append(Document.doc_type == query.doc_type)
    if query.ai_label:
        conditions.append(Document.ai_label == query.ai_label)
    issued = func.coalesce(Document.issue_date, Document.publish_date)
    if query.issued_from:
        conditions.append(issued >= query.issued_from)
    if query.issued_to:
        conditions.append(issued <= query.issued_to)
    if query.in_force:
        # Started, not expired, within its planning period, not superseded: one rule (storage.validity).
        conditions.append(in_force_condition(query.in_force))
    return conditions


def _statement(session: Session, query: SearchQuery, terms: Sequence[tuple[str, ...]]) -> Select[Any]:
    """Matching (document id, version id, score) rows with every filter applied, unordered."""
    dialect = dialect_of(session)
    v, d = DocumentVersion, Document
    if not terms:
        stmt = select(d.id, v.id.label("version_id"), literal_column("0.0").label("score")).select_from(v)
    elif dialect == "sqlite":
        fts = table(SQLITE_TABLE, column("rowid"))
        match = " ".join('"' + " ".join(term).replace('"', '""') + '"' for term in terms)
        score = -func.bm25(literal_column(SQLITE_TABLE), TITLE_WEIGHT, BODY_WEIGHT)
        stmt = (
            select(d.id, v.id.label("version_id"), score.label("score"))
            .select_from(fts)
            .join(v, v.id == fts.c.rowid)
            .where(text(f"{SQLITE_TABLE} MATCH :match").bindparams(match=match))
        )
    elif dialect == "postgresql":
        index = table(PG_TABLE, column("version_id"), column("tsv"))
        tsquery = func.phraseto_tsquery(literal_column("'simple'"), " ".join(terms[0]))
        for term in terms[1:]:
            tsquery = tsquery.op("&&")(func.phraseto_tsquery(literal_column("'simple'"), " ".join(term)))
        stmt = (
            select(d.id, v.id.label("version_id"), func.ts_rank(index.c.tsv, tsquery).label("score"))
            .select_from(index)
            .join(v, v.id == index.c.version_id)
            .where(index.c.tsv.op("@@")(tsquery))
        )
    else:
        raise SearchError(f"full-text search is not implemented for {dialect}")
    stmt = stmt.join(d, d.id == v.document_id)
    if not query.all_versions:
        stmt = stmt.where(d.latest_version_id == v.id)
    return stmt.where(*_filters(query, dialect))


def matching_statement(session: Session, query: SearchQuery) -> Select[Any]:
    """(document id, version id, score) of every match of ``query``, filters applied, unordered, unlimited."""
    return _statement(session, query, query_terms(query.text))


def count(session: Session, query: SearchQuery) -> int:
    """How many documents (or versions, with ``all_versions``) match, ignoring limit and offset."""
    stmt = _statement(session, query, query_terms(query.text)).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0


def search(session: Session, query: SearchQuery) -> list[SearchHit]:
    """Best matches first (bm25 / ts_rank); without query text, the most recently issued first."""
    terms = query_terms(query.text)
    stmt = _statement(session, query, terms)
    if terms:
        stmt = stmt.order_by(literal_column("score").desc(), Document.id.desc())
    else:
        issued = func.coalesce(Document.issue_date, Document.publish_date)
        stmt = stmt.order_by(issued.desc().nulls_last(), Document.id.desc())
    # Two phases: rank ids only, then load the few texts the snippets need.
    ranked = session.execute(stmt.limit(max(0, min(query.limit, 1000))).offset(max(0, query.offset))).all()
    if not ranked:
        return []
    version_ids = [row.version_id for row in ranked]
    loaded = {
        version.id: (version, document)
        for version, document in session.execute(
            select(DocumentVersion, Document)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(DocumentVersion.id.in_(version_ids))
        ).all()
    }
    marked = ["".join(term) for term in terms]
    hits = []
    for row in ranked:
        version, document = loaded[row.version_id]
        hits.append(
            SearchHit(
                id=document.id, version_id=version.id, seq=version.seq,
                title=document.title if document.latest_version_id == version.id else version.title,
                doc_number=document.doc_number, issuers=list(document.issuers or []),
                region={"province": document.province, "city": document.city, "district": document.district,
                        "code": document.region_code},
                issue_date=document.issue_date, publish_date=document.publish_date,
                effective_date=document.effective_date, expiry_date=document.expiry_date,
                doc_type=document.doc_type, ai_label=document.ai_label, status=document.status, url=document.url,
                score=round(float(row.score or 0.0), 6), snippet=snippet(version.text, marked),
                latest=document.latest_version_id == version.id,
            )
        )
    return hits


def snippet(body: str, terms: Sequence[str], width: int = 120) -> str:
    """The window of the text holding the most distinct terms (earliest on ties), HTML-escaped, every term
    wrapped in <mark>."""
    flat = re.sub(r"\s+", " ", searchable(body)).strip()
    lowered = flat.lower()
    ordered = sorted({t for t in terms if t}, key=len, reverse=True)
    where = {t: [m.start() for m in re.finditer(re.escape(t), lowered)][:200] for t in ordered}
    start, best = 0, 0
    for anchor in sorted(p for positions in where.values() for p in positions):
        begin = max(0, anchor - width // 3)
        covered = sum(any(begin <= p <= begin + width - len(t) for p in where[t]) for t in ordered)
        if covered > best:
            start, best = begin, covered
    window = flat[start:start + width]
    out, pos = [], 0
    if ordered:
        pattern = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)
        for match in pattern.finditer(window):
            out.append(html.escape(window[pos:match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            pos = match.end()
    out.append(html.escape(window[pos:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(flat) else ""
    return prefix + "".join(out) + suffix


