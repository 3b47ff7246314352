"""Facet counts of a search: how the matching documents spread over region, admin level, issuer, document
type, topic, year and AI label — what an archivist narrows a search with.

Each facet counts the matches of the query with every filter applied (documents, or versions with
``all_versions``), so a one-value facet's counts add up to ``count()`` less the matches without a value.
The region facet counts one level below the region filter (provinces without one, a province's cities, a
city's districts), by GB/T 2260 code prefix, so a province's count includes its cities and districts.
List columns (issuers, topics) count each element. Beyond ``SAMPLE_SIZE`` matches the counts are
estimated from a sample and say so (``Facet.approximate``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import String, cast, func
from sqlalchemy.orm import Session

from storage.models import Document
from storage.search import SearchQuery, sampled_statement, window
from zhtext.regions import RegionRef, lookup

FACET_LIMIT = 20  # values shown per facet; the rest are one click further (a filter)
SAMPLE_SIZE = 5_000  # matches read for the counts at most (about)


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
    approximate: bool = False  # counts scaled up from a sample of the matches

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
    "validity": "效力 Validity",
}
LEVEL_LABELS = {"national": "国家 national", "provincial": "省级 provincial", "municipal": "市级 municipal",
                "district": "区县 district"}
AI_LABELS = {"yes": "是 yes", "borderline": "相关 borderline", "no": "否 no"}


def _validity_column() -> Any:
    """Hook for the validity facet (现行有效, 已失效, …): the documents column holding a document's validity
    status, once the model has one; until then there is no validity facet."""
    return getattr(Document, "validity", None)


def _scalar_columns(query: SearchQuery) -> tuple[dict[str, Any], int, RegionRef | None]:
    """The one-value-per-document facets as SQL expressions, and the region prefix width."""
    d = Document
    parent: RegionRef | None = lookup(query.region) if query.region else None
    width = 2 if parent is None else 4 if parent.level == "provincial" else 6
    columns: dict[str, Any] = {
        "region": func.substr(d.region_code, 1, width),
        "admin_level": d.admin_level,
        "doc_type": d.doc_type,
        "year": func.substr(cast(func.coalesce(d.issue_date, d.publish_date), String), 1, 4),
        "ai_label": d.ai_label,
    }
    validity = _validity_column()
    if validity is not None:
        columns["validity"] = validity
    return columns, width, parent


def facets(session: Session, query: SearchQuery) -> list[Facet]:
    """Every facet of ``query``'s matches, most frequent values first (years newest first).

    One pass over the matches reads every facet's values, counted here. When the newest matches show that
    there are more than ``SAMPLE_SIZE`` of them, the pass reads a sample (version-id ranges spread over the
    archive: ``sampled_statement``) and the counts are scaled up and marked approximate: counting a term in most of a million documents
    exactly costs seconds; a sample of 5,000 estimates a share to within about ±1.4% (95%)."""
    columns, width, parent = _scalar_columns(query)
    lists = {"issuer": Document.issuers, "topic": Document.topics}
    seen = window(session, query)
    every = 1 if seen.complete else max(1, -(-seen.estimate // SAMPLE_SIZE))
    # Lists as their JSON text: equal rows are counted once here, in C, and each distinct list decoded once.
    raw_lists = [cast(column_, String) for column_ in lists.values()]
    rows = Counter(tuple(row) for row in session.execute(sampled_statement(session, query, every,
                                                                            *columns.values(), *raw_lists)))
    totals: dict[str, Counter[str]] = {name: Counter() for name in [*columns, *lists]}
    for row, n in rows.items():
        for name, value in zip(columns, row[:len(columns)], strict=True):
            if value not in ("", None):
                totals[name][str(value)] += n * every
        for name, encoded in zip(lists, row[len(columns):], strict=True):
            for value in set(_decoded(encoded)):
                if value:
                    totals[name][str(value)] += n * every
    approximate = every > 1
    result = [_region_facet(totals["region"], width, parent)]
    result.append(_facet("admin_level", totals["admin_level"], LEVEL_LABELS))
    result.append(_facet("issuer", totals["issuer"]))
    result.append(_facet("doc_type", totals["doc_type"]))
    result.append(_facet("topic", totals["topic"]))
    result.append(_facet("year", totals["year"], by_value=True))
    result.append(_facet("ai_label", totals["ai_label"], AI_LABELS))
    if "validity" in totals:
        result.append(_facet("validity", totals["validity"]))
    return [replace(facet, approximate=approximate) for facet in result]


@lru_cache(maxsize=4096)
def _decoded(encoded: str | None) -> tuple[Any, ...]:
    return tuple(json.loads(encoded)) if encoded else ()


def _facet(name: str, counts: Counter[str], labels: dict[str, str] | None = None, by_value: bool = False) -> Facet:
    ordered = sorted(counts.items(), key=(lambda kv: kv[0]) if by_value else (lambda kv: (-kv[1], kv[0])),
                     reverse=by_value)
    return Facet(name, LABELS[name], [FacetValue(value, (labels or {}).get(value, value), n)
                                      for value, n in ordered[:FACET_LIMIT]])


def _region_facet(counts: Counter[str], width: int, parent: RegionRef | None) -> Facet:
    """Counts one level below the filtered region, by code prefix (a province includes its districts)."""
    if parent is not None and parent.level == "district":
        total = sum(counts.values())
        return Facet("region", LABELS["region"], [FacetValue(parent.code, parent.name, total)] if total else [])
    values = []
    for code_prefix, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]:
        code = code_prefix.ljust(6, "0")
        ref = lookup(code)
        values.append(FacetValue(code, _region_label(ref, width) if ref is not None else code, n))
    return Facet("region", LABELS["region"], values)


def _region_label(ref: RegionRef, width: int) -> str:
    if width == 2:
        return ref.province or ref.name
    if width == 4:
        return ref.city or ref.province or ref.name
    return ref.name


__all__ = ["Facet", "FacetValue", "facets"]
