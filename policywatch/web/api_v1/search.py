"""/api/v1/search: full text and filters, ranked hits with snippets, and facet counts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from policywatch.archive.search import SearchResults, run_search
from policywatch.web.context import Context
from policywatch.web.params import Offset, limit
from storage.search import SearchQuery

router = APIRouter(tags=["search"])


def search_query(
    q: Annotated[str, Query(max_length=200, description='Words (all must occur); "quoted" words in a row')] = "",
    region: Annotated[str | None, Query(max_length=60, description="Region; includes subregions")] = None,
    issuer: Annotated[str | None, Query(max_length=60)] = None,
    doc_number: Annotated[str | None, Query(max_length=100, description="文号")] = None,
    doc_type: Annotated[str | None, Query(alias="type", max_length=30)] = None,
    ai: Literal["yes", "borderline", "no"] | None = None,
    issued_from: Annotated[date | None, Query(alias="from")] = None,
    issued_to: Annotated[date | None, Query(alias="to")] = None,
    in_force: Annotated[date | None, Query(description="In force on this day")] = None,
    status: Literal["active", "removed", "any"] = "active",
    all_versions: bool = False,
    limit: Annotated[int, limit(100)] = 20,
    offset: Offset = 0,
) -> SearchQuery:
    """The search parameters of the API and of the search page."""
    return SearchQuery(
        text=q, region=region or None, issuer=issuer or None, doc_number=doc_number or None,
        doc_type=doc_type or None, ai_label=ai, issued_from=issued_from, issued_to=issued_to, in_force=in_force,
        status=None if status == "any" else status, all_versions=all_versions, limit=limit, offset=offset,
    )


SearchParams = Annotated[SearchQuery, Depends(search_query)]


@router.get("/search", response_model=SearchResults)
def search(context: Context, query: SearchParams, facets: bool = True) -> SearchResults:
    """Ranked hits with highlighted snippets; facet counts over every match (``facets=false`` skips them)."""
    with context.factory() as session:
        return run_search(session, query, facets)
