"""Archive search: full text over document versions with metadata filters, ranked, with highlighted
snippets. The query language is ``storage.search_query``'s, the index ``storage.search_index``'s.

Ranking, best first: title hits before body-only hits (a title match weighs ten body matches), then term
frequency against document length (bm25 on SQLite; ts_rank_cd on PostgreSQL, which also rewards terms
that stand close together), then recency (issue date) and administrative level as tie-breakers. A term
in every document still ranks by frequency and title: SQLite's bm25 floors the weight of such a term
instead of zeroing it. ``SearchHit.score`` is relevance relative to the best hit of the query (1.0).

At scale, a term in half the archive matches hundreds of thousands of versions; ranking them all cannot
answer in interactive time. So a query ranks the ``RANK_WINDOW`` most recently stored matches that pass
its filters — every match when there are fewer (a filter or another term narrows the window); pages
deeper than the window rank the next whole multiple of it. On SQLite a window that is only part of the
matches is ranked without bm25 (title hits, then date and level; see ``_broad_page``). ``count`` is
always exact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    REAL,
    ColumnElement,
    Select,
    String,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session

from core.errors import SearchError
from storage.models import Document, DocumentVersion
from storage.search_index import PG_TABLE, SQLITE_TABLE, dialect_of
from storage.search_query import Phrase, Term, Word, fts5_match, parse, tsquery_text
from storage.search_snippets import snippet
from storage.validity import in_force_condition
from zhtext.docnumbers import normalize_doc_number
from zhtext.normalize import matching_form, squash
from zhtext.regions import lookup

# bm25 column weights (title, body): a title match counts as much as ten in the body.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
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


LEVEL_ORDER = {"national": 0, "provincial": 1, "municipal": 2, "district": 3}
RANK_WINDOW = 2000
SAMPLE_STRATA = 32
# ts_rank_cd weights, in PostgreSQL's {D, C, B, A} order: title (A) words weigh ten body (B) words.
PG_WEIGHTS = "{0.0, 0.0, 0.1, 1.0}"


def _sqlite_match(terms: list[Term]) -> tuple[Select[Any], ColumnElement[Any]]:
    fts = table(SQLITE_TABLE, column("rowid"))
    relevance = -func.bm25(literal_column(SQLITE_TABLE), TITLE_WEIGHT, BODY_WEIGHT, TITLE_WEIGHT, BODY_WEIGHT)
    stmt = (
        select(Document.id, DocumentVersion.id.label("version_id"), relevance.label("score"))
        .select_from(fts)
        .join(DocumentVersion, DocumentVersion.id == fts.c.rowid)
        .where(text(f"{SQLITE_TABLE} MATCH :match").bindparams(match=fts5_match(terms)))
    )
    return stmt, fts.c.rowid


_PG_INDEX = table(PG_TABLE, column("version_id"), column("tsv"), column("grams"), column("plain"))


def _pg_match(terms: list[Term]) -> tuple[Select[Any], ColumnElement[Any]]:
    index = _PG_INDEX
    conditions: list[ColumnElement[bool]] = []
    relevance: ColumnElement[Any] = literal(0.0)
    words = [t.word for t in terms if isinstance(t, Word)]
    if words:
        tsquery = func.phraseto_tsquery(literal_column("'simple'"), words[0])
        for word in words[1:]:
            tsquery = tsquery.op("&&")(func.phraseto_tsquery(literal_column("'simple'"), word))
        conditions.append(index.c.tsv.op("@@")(tsquery))
        weights = cast(literal(PG_WEIGHTS), ARRAY(REAL))
        relevance = relevance + func.ts_rank_cd(weights, index.c.tsv, tsquery, 1)
    for phrase in (t for t in terms if isinstance(t, Phrase)):
        tokens, prefix = phrase.tokens()
        printed = literal(phrase.printed, String)
        # The character pairs narrow the candidates; the folded text confirms the phrase as printed.
        conditions.append(index.c.grams.op("@@")(cast(literal(tsquery_text(tokens, prefix)), TSQUERY)))
        conditions.append(func.strpos(index.c.plain, printed) > 0)
        # Relevance of a phrase: in the title or not (counting its occurrences in every text of the window
        # costs more than the rest of the query).
        title_hit = case((func.strpos(func.split_part(index.c.plain, "\n", 1), printed) > 0, 1.0), else_=0.0)
        relevance = relevance + title_hit
    # The matches first, from the GIN indexes: left to itself the planner probes the index table once per
    # stored version (it cannot estimate the latest-version join), which grows with the archive.
    matches = select(index.c.version_id).where(*conditions).cte("matches").prefix_with("MATERIALIZED")
    stmt = (
        select(Document.id, DocumentVersion.id.label("version_id"), relevance.label("score"))
        .select_from(matches)
        .join(index, index.c.version_id == matches.c.version_id)
        .join(DocumentVersion, DocumentVersion.id == matches.c.version_id)
    )
    return stmt, matches.c.version_id


def _statement(
    session: Session, query: SearchQuery, terms: list[Term]
) -> tuple[Select[Any], ColumnElement[Any]]:
    """Matching (document id, version id, score) rows with every filter applied, unordered; and the
    column holding the version id in index order (the ranking window's order)."""
    dialect = dialect_of(session)
    v, d = DocumentVersion, Document
    if not terms:
        stmt, order = select(d.id, v.id.label("version_id"), literal_column("0.0").label("score")).select_from(v), v.id
    elif dialect == "sqlite":
        stmt, order = _sqlite_match(terms)
    elif dialect == "postgresql":
        stmt, order = _pg_match(terms)
    else:
        raise SearchError(f"full-text search is not implemented for {dialect}")
    if query.all_versions:
        stmt = stmt.join(d, d.id == v.document_id)
    elif dialect == "postgresql":
        # One join condition: with both (the same fact twice) PostgreSQL estimates one row and loops over
        # the matches once per stored document.
        stmt = stmt.join(d, d.latest_version_id == v.id)
    else:
        stmt = stmt.join(d, d.id == v.document_id).where(d.latest_version_id == v.id)
    return stmt.where(*_filters(query, dialect)), order


def matching_statement(session: Session, query: SearchQuery) -> Select[Any]:
    """(document id, version id, score) of every match of ``query``, filters applied, unordered, unlimited."""
    return _statement(session, query, parse(query.text))[0]


def count(session: Session, query: SearchQuery) -> int:
    """How many documents (or versions, with ``all_versions``) match, ignoring limit and offset."""
    stmt = matching_statement(session, query).with_only_columns(literal_column("1")).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0


@dataclass(frozen=True)
class Window:
    """The most recently stored matches of a query (version ids, newest first); ``complete`` when they are
    all of its matches. ``estimate`` extrapolates the match count from how densely they fill the ids."""

    version_ids: list[int]
    complete: bool
    estimate: int


def window(session: Session, query: SearchQuery, size: int | None = None) -> Window:
    """The newest ``size`` (``RANK_WINDOW``) matches, read in index order (SQLite's FTS5 stops there)."""
    size = size or RANK_WINDOW
    stmt, order = _statement(session, query, parse(query.text))
    ids = list(session.scalars(stmt.with_only_columns(order).order_by(order.desc()).limit(size)))
    if len(ids) < size:
        return Window(ids, True, len(ids))
    newest = session.scalar(select(func.max(DocumentVersion.id))) or ids[0]
    return Window(ids, False, round(len(ids) * newest / max(1, newest - ids[-1] + 1)))


def sampled_statement(session: Session, query: SearchQuery, every: int, *columns: Any) -> Any:
    """``columns`` of the matches of ``query``, or (``every`` > 1) of a sample of about one in ``every``:
    the matches in ``SAMPLE_STRATA`` version-id ranges spread evenly over the archive. Ranges, not every
    k-th id, because the index seeks to a range, where it would have to test each match for a modulus."""
    stmt, order = _statement(session, query, parse(query.text))
    stmt = stmt.with_only_columns(*columns)
    if every <= 1:
        return stmt
    newest = session.scalar(select(func.max(DocumentVersion.id))) or 0
    stride = newest / SAMPLE_STRATA
    width = max(1, round(stride / every))
    starts = sorted({int(i * stride) + 1 for i in range(SAMPLE_STRATA)})
    return union_all(*(stmt.where(order.between(start, start + width - 1)) for start in starts))


def _exact_page(session: Session, stmt: Select[Any], order: Any, size: int, limit: int, offset: int) -> list[Any]:
    """Rank the ``size`` newest matches by relevance (bm25 / ts_rank_cd), tie-broken by date and level.

    On PostgreSQL the window is chosen first and relevance computed for its rows only: ts_rank_cd reads a
    whole tsvector, which costs too much for every match of a common term."""
    issued = func.coalesce(Document.issue_date, Document.publish_date)
    level = case(LEVEL_ORDER, value=Document.admin_level, else_=len(LEVEL_ORDER))
    extra = (issued.label("issued"), level.label("level"))
    if dialect_of(session) == "postgresql":
        relevance = stmt.selected_columns.score
        newest = stmt.with_only_columns(Document.id, order.label("version_id"), *extra).order_by(
            order.desc()).limit(size).subquery()
        inner = (
            select(newest, relevance)
            .select_from(newest)
            .join(_PG_INDEX, _PG_INDEX.c.version_id == newest.c.version_id)
            .subquery()
        )
    else:
        inner = stmt.add_columns(*extra).order_by(order.desc()).limit(size).subquery()
    best = func.max(inner.c.score).over()
    page = (
        select(inner.c.id, inner.c.version_id, (inner.c.score / func.nullif(best, 0.0)).label("score"))
        .order_by(inner.c.score.desc(), inner.c.issued.desc().nulls_last(), inner.c.level, inner.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.execute(page).all())


@dataclass(frozen=True)
class _Ranked:
    id: int
    version_id: int
    score: float


def _broad_page(session: Session, terms: list[Term], ids: list[int], limit: int, offset: int) -> list[Any]:
    """Rank a window that is only part of the matches (SQLite): title hits first, then newest, then level.

    bm25 would count every match of every term first (FTS5 computes a term's document frequency by reading
    all its matches), which is what a term in most of the archive cannot afford."""
    fts = table(SQLITE_TABLE, column("rowid"))
    titled = set(session.scalars(
        select(fts.c.rowid)
        .where(text(f"{SQLITE_TABLE} MATCH :match").bindparams(match=fts5_match(terms, title_only=True)))
        .where(fts.c.rowid >= ids[-1])
    ))
    issued = func.coalesce(Document.issue_date, Document.publish_date)
    rows = session.execute(
        select(DocumentVersion.id, Document.id, issued, Document.admin_level)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.id.in_(ids))
    ).all()
    ordered = sorted(rows, key=lambda r: (r[0] not in titled, -(r[2] or date.min).toordinal(),
                                          LEVEL_ORDER.get(r[3] or "", len(LEVEL_ORDER)), -r[1]))
    # Relative score: a title hit counts double, and falls off with the position in date order.
    return [_Ranked(document_id, version_id,
                    round((1.0 if version_id in titled else 0.5) * (1 - rank / (2 * len(ordered))), 4))
            for rank, (version_id, document_id, _, _) in enumerate(ordered)][offset:offset + limit]


def _ranked(session: Session, query: SearchQuery, terms: list[Term]) -> list[Any]:
    """One page of (id, version_id, score) rows, best first (see the module docstring)."""
    limit, offset = max(0, min(query.limit, 1000)), max(0, query.offset)
    stmt, order = _statement(session, query, terms)
    if not terms:
        issued = func.coalesce(Document.issue_date, Document.publish_date)
        stmt = stmt.order_by(issued.desc().nulls_last(), Document.id.desc())
        return list(session.execute(stmt.limit(limit).offset(offset)).all())
    size = RANK_WINDOW * -(-(offset + limit) // RANK_WINDOW)
    if dialect_of(session) == "sqlite":
        newest = window(session, query, size)
        if not newest.complete:
            return _broad_page(session, terms, newest.version_ids, limit, offset)
    return _exact_page(session, stmt, order, size, limit, offset)


def search(session: Session, query: SearchQuery) -> list[SearchHit]:
    """Best matches first (see the module docstring); without query text, the most recently issued first."""
    terms = parse(query.text)
    # Two phases: rank ids only, then load the few texts the snippets need.
    ranked = _ranked(session, query, terms)
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
                score=round(float(row.score or 0.0), 4), snippet=snippet(version.text, terms),
                latest=document.latest_version_id == version.id,
            )
        )
    return hits
