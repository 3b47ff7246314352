"""Search as the archive shows it: hits with highlighted snippets and facet counts, on the search
functions of ``storage.search`` and ``storage.search_facets``."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from pydantic import Field
from sqlalchemy.orm import Session

from policywatch.archive.models import Region, Shape
from storage.search import SearchQuery, count, search
from storage.search_facets import facets


class SearchHit(Shape):
    id: int
    version_id: int
    seq: int
    title: str
    doc_number: str | None = None
    issuers: list[str] = Field(default_factory=list)
    region: Region = Region()
    issue_date: date | None = None
    publish_date: date | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    doc_type: str | None = None
    ai_label: str | None = None
    status: str
    url: str
    score: float
    snippet: str = Field("", description="HTML-escaped text with <mark> around matched terms")
    latest: bool = True


class FacetValue(Shape):
    value: str
    label: str
    count: int


class Facet(Shape):
    name: str
    label: str
    values: list[FacetValue] = Field(default_factory=list)
    approximate: bool = Field(False, description="Counts estimated from a sample (very many matches)")


class SearchResults(Shape):
    total: int
    limit: int
    offset: int
    hits: list[SearchHit]
    facets: list[Facet] = Field(default_factory=list)


def run_search(session: Session, query: SearchQuery, with_facets: bool = True) -> SearchResults:
    hits = [SearchHit.model_validate(asdict(hit)) for hit in search(session, query)]
    found = [Facet.model_validate(f.to_dict()) for f in facets(session, query)] if with_facets else []
    return SearchResults(total=count(session, query), limit=query.limit, offset=query.offset, hits=hits,
                         facets=found)
