"""Facet counts of a search: how the matching documents spread over region, admin level, issuer, document
type, topic, year and AI label — what an archivist narrows a search with.

Each facet counts the documents that match the query with every filter applied. The region facet counts
one level below the region filter (provinces without one, a province's cities, a city's districts), by
GB/T 2260 code prefix, so a province's count includes its cities and districts. List columns (issuers,
topics) count each element.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, select, true
from sqlalchemy.orm import Session

from storage.models import Document
from storage.search import SearchQuery, matching_statement
from storage.search_index import dialect_of
from zhtext.regions import RegionRef, lookup

FACET_LIMIT = 20  # values shown per facet; the rest are one click further (a filter)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


LABELS = {
    "region": "地区 Region",
    "admin_level": "层级 Level",
    "issuer": "发文机关 Issuer",
    "doc_type": "文种 Type",
    "topic": "主题 Topic",
    "year": "年份 Year",
    "ai_label": "人工智能相关 AI",
}
LEVEL_LABELS = {"national": "国家 national", "provincial": "省级 provincial", "municipal": "市级 municipal",
                "district": "区县 district"}
AI_LABELS = {"yes": "是 yes", "borderline": "相关 borderline", "no": "否 no"}


def facets(session: Session, query: SearchQuery) -> list[Facet]:
    """Every facet of ``query``'s matching documents (latest versions), most frequent values first."""
    matching = matching_statement(session, query).with_only_columns(Document.id.label("doc_id")).subquery()
    ids = select(matching.c.doc_id)
    d = Document
    result = [_region_facet(session, query, ids)]
    result.append(_column_facet(session, "admin_level", d.admin_level, ids, LEVEL_LABELS))
    result.append(_list_facet(session, "issuer", "issuers", ids))
    result.append(_column_facet(session, "doc_type", d.doc_type, ids))
    result.append(_list_facet(session, "topic", "topics", ids))
    year = func.substr(cast(func.coalesce(d.issue_date, d.publish_date), String), 1, 4)
    result.append(_column_facet(session, "year", year, ids, order_by_value=True))
    result.append(_column_facet(session, "ai_label", d.ai_label, ids, AI_LABELS))
    return result


def _column_facet(
    session: Session, name: str, expression: Any, ids: Any, labels: dict[str, str] | None = None,
    order_by_value: bool = False,
) -> Facet:
    counted = func.count().label("n")
    stmt = (
        select(expression.label("value"), counted)
        .where(Document.id.in_(ids), expression.is_not(None))
        .group_by(expression)
        .order_by(expression.desc() if order_by_value else counted.desc(), expression)
        .limit(FACET_LIMIT)
    )
    values = [
        FacetValue(str(value), (labels or {}).get(str(value), str(value)), int(n))
        for value, n in session.execute(stmt).all()
        if value not in ("", None)
    ]
    return Facet(name, LABELS[name], values)


def _list_facet(session: Session, name: str, column_name: str, ids: Any) -> Facet:
    """Counts per element of a JSON list column (a joint document counts once for each issuer)."""
    function = func.json_each if dialect_of(session) == "sqlite" else func.jsonb_array_elements_text
    elements = function(getattr(Document, column_name)).table_valued("value")
    counted = func.count().label("n")
    stmt = (
        select(elements.c.value, counted)
        .select_from(Document)
        .join(elements, true())
        .where(Document.id.in_(ids))
        .group_by(elements.c.value)
        .order_by(counted.desc(), elements.c.value)
        .limit(FACET_LIMIT)
    )
    values = [FacetValue(str(value), str(value), int(n)) for value, n in session.execute(stmt).all() if value]
    return Facet(name, LABELS[name], values)


def _region_facet(session: Session, query: SearchQuery, ids: Any) -> Facet:
    """Counts one level below the filtered region, by code prefix (a province includes its districts)."""
    parent: RegionRef | None = lookup(query.region) if query.region else None
    width = 2 if parent is None else 4 if parent.level == "provincial" else 6
    if parent is not None and parent.level == "district":
        return Facet("region", LABELS["region"], [FacetValue(parent.code, parent.name, _count(session, ids))])
    prefix = func.substr(Document.region_code, 1, width)
    counted = func.count().label("n")
    stmt = (
        select(prefix.label("prefix"), counted)
        .where(Document.id.in_(ids), Document.region_code.is_not(None))
        .group_by(prefix)
        .order_by(counted.desc(), prefix)
        .limit(FACET_LIMIT)
    )
    values = []
    for code_prefix, n in session.execute(stmt).all():
        code = str(code_prefix).ljust(6, "0")
        ref = lookup(code)
        label = _region_label(ref, width) if ref is not None else code
        values.append(FacetValue(code, label, int(n)))
    return Facet("region", LABELS["region"], values)


def _region_label(ref: RegionRef, width: int) -> str:
    if width == 2:
        return ref.province or ref.name
    if width == 4:
        return ref.city or ref.province or ref.name
    return ref.name


def _count(session: Session, ids: Any) -> int:
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


__all__ = ["Facet", "FacetValue", "facets"]
