"""The archive's pages across documents: home, search with facets, a region's plans, targets across
regions, and who cites a 文号 or title."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from policywatch.archive import documents as views
from policywatch.archive import graph, targets
from policywatch.archive.search import Facet, run_search
from policywatch.web.api_v1.search import SearchParams
from policywatch.web.context import Context
from policywatch.web.templating import query_string, render

router = APIRouter(tags=["pages"], include_in_schema=False)
# Search page parameter each facet narrows by (facets without a filter are shown as counts only).
FACET_PARAMS = {"region": "region", "issuer": "issuer", "doc_type": "type", "ai_label": "ai"}
Text = Annotated[str | None, Query(max_length=100)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, context: Context) -> HTMLResponse:
    with context.factory() as session:
        page = views.list_documents(session, limit=20)
    return render(request, "home.html", page=page)


def _facet_links(facets: list[Facet], params: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for facet in facets:
        values = []
        for v in facet.values:
            if facet.name == "year" and v.value.isdigit():
                href = "/search?" + query_string(params, offset=None, **{"from": f"{v.value}-01-01",
                                                                        "to": f"{v.value}-12-31"})
            elif facet.name in FACET_PARAMS:
                href = "/search?" + query_string(params, offset=None, **{FACET_PARAMS[facet.name]: v.value})
            else:
                href = None
            values.append({"label": v.label, "count": v.count, "href": href})
        out.append({"name": facet.name, "label": facet.label, "values": values})
    return out


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, context: Context, query: SearchParams) -> HTMLResponse:
    params = {k: v for k, v in request.query_params.items() if k in (
        "q", "region", "issuer", "doc_number", "type", "ai", "from", "to", "in_force", "status", "offset")}
    with context.factory() as session:
        results = run_search(session, query, with_facets=True)
    return render(request, "search.html", results=results, params=params,
                  facets=_facet_links(results.facets, params))


@router.get("/regions/{region}", response_class=HTMLResponse)
def region_page(request: Request, context: Context, region: str) -> HTMLResponse:
    with context.factory() as session:
        plans = graph.region_plans(session, region, None, context.expiring_days)
    metrics = plans.metrics or sorted({t.metric for p in plans.plans for t in p.targets if t.metric})[:20]
    return render(request, "region.html", plans=plans, metrics=metrics)


@router.get("/targets", response_class=HTMLResponse)
def targets_page(request: Request, context: Context, metric: Text = None, region: Text = None) -> HTMLResponse:
    with context.factory() as session:
        comparison = targets.compare_targets(session, metric or None, region or None)
    units = [r.unit for r in comparison.rows if r.unit]
    chart = {
        "metric": comparison.metric or "",
        "unit": max(set(units), key=units.count) if units else "",
        "categories": [f"{r.region} {r.year or ''}".strip() for r in comparison.rows],
        "points": [{"value": r.value, "label": f"{r.region} {r.year or ''}: {r.text}"} for r in comparison.rows],
    }
    return render(request, "targets.html", comparison=comparison, chart=chart, region=region)


@router.get("/citations", response_class=HTMLResponse)
def cited_key_page(request: Request, context: Context, doc_number: Text = None, title: Text = None) -> HTMLResponse:
    with context.factory() as session:
        found = graph.citations_of_key(session, doc_number, title)
    return render(request, "citations.html", graph=found)


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from our static files (no CDN); it needs inline styles of its own."""
    response = render(request, "docs.html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return response


__all__ = ["router"]
