"""The archive's REST API, ``/api/v1``: typed responses (``policywatch.archive.models``), offset
pagination, one error body (``policywatch.web.errors``), ETag/Last-Modified on documents and versions.

- ``documents``  documents (list, filter, detail), versions, as-of text, in force on a day
- ``relations``  diffs of versions and of documents, lineage, citation graph, region plans, targets
- ``search``     full text with facets
- ``exports``    exports with the analysis; the original capture of a version
"""

from __future__ import annotations

from fastapi import APIRouter

from policywatch.archive.models import Problem
from policywatch.web.api_v1 import documents, exports, relations, search

# Every operation documents the one error body (policywatch.web.errors answers with it).
ERRORS = {
    400: {"model": Problem, "description": "A request the archive cannot answer as asked"},
    404: {"model": Problem, "description": "No such document, version or capture"},
    422: {"model": Problem, "description": "A parameter failed validation"},
    500: {"model": Problem, "description": "Internal error"},
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)  # type: ignore[arg-type]
for _module in (documents, relations, search, exports):
    router.include_router(_module.router)

__all__ = ["router"]
