"""The archive's shapes, declared once: the REST API returns them (and documents them in OpenAPI), the
pages render them, and the command line prints them with ``--json``.

Analysis fields come from stored JSON written by several versions of the analysis, so every field is
optional or defaulted and lists skip entries that do not fit (``coerce_list``) instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

M = TypeVar("M", bound=BaseModel)


# Stored times are UTC; SQLite hands them back without an offset, and RFC 3339 wants one.
UtcDatetime = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))]


class Shape(BaseModel):
    model_config = ConfigDict(extra="ignore")


def coerce_list(model: type[M], items: Iterable[Any] | None) -> list[M]:
    """Entries of a stored list that fit ``model``; malformed ones are skipped."""
    out: list[M] = []
    for item in items or ():
        if isinstance(item, dict):
            try:
                out.append(model.model_validate(item))
            except ValidationError:
                continue
    return out


class Region(Shape):
    province: str | None = None
    city: str | None = None
    district: str | None = None
    code: str | None = None

    @property
    def name(self) -> str:
        return " ".join(dict.fromkeys(p for p in (self.province, self.city, self.district) if p))


class DocumentRef(Shape):
    """Another document, named where it is mentioned: enough to show and link it."""

    id: int
    title: str
    doc_number: str | None = None
    region: str = ""
    issue_date: date | None = None
    status: str = "active"


class Validity(Shape):
    status: str = Field(description="in_force | expiring | expired | superseded | not_yet | unknown")
    label: str = Field(description="现行有效 / 即将失效 / 已失效 / 已被替代 / 尚未生效 / 时效未知")
    on: date
    starts: date | None = None
    ends: date | None = None
    basis: str = ""
    superseded_by: DocumentRef | None = None
    days_left: int | None = None


class DocumentSummary(Shape):
    id: int
    title: str
    url: str
    doc_number: str | None = None
    issuers: list[str] = []
    region: Region = Region()
    admin_level: str | None = None
    doc_type: str | None = None
    ai_label: str | None = None
    topics: list[str] = []
    issue_date: date | None = None
    publish_date: date | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    period_start: int | None = None
    period_end: int | None = None
    status: str = Field("active", description="active, or removed from its site")
    latest_version_id: int | None = None


class DocumentPage(Shape):
    total: int
    limit: int
    offset: int
    documents: list[DocumentSummary]


class Evidence(Shape):
    term: str
    where: str = ""
    count: int = 0
    context: str = ""


class AiRelevance(Shape):
    label: str | None = None
    score: float | None = None
    evidence: list[Evidence] = []
    topics: list[str] = []


class OutlineNode(Shape):
    id: str = ""
    kind: str = ""
    label: str = ""
    heading: str = ""
    text: str = ""
    start: int | None = None
    end: int | None = None
    children: list[OutlineNode] = []


class Target(Shape):
    """A quantitative goal; ``metric``/``value_normalized``/``unit_normalized`` are the canonical forms
    when the analysis provides them."""

    text: str = ""
    metric: str | None = None
    comparator: str | None = None
    value: float | None = None
    unit: str | None = None
    year: int | None = None
    value_normalized: float | None = None
    unit_normalized: str | None = None


class Responsibility(Shape):
    clause_id: str | None = None
    text: str = ""
    lead: list[str] = []
    support: list[str] = []
    responsible: list[str] = []


class Attachment(Shape):
    name: str = ""
    url: str = ""
    kind: str = ""
    status: str = ""


class Citation(Shape):
    """What the document cites, and the stored document it resolved to (by 文号 or title), if any."""

    title: str | None = None
    doc_number: str | None = None
    method: str = Field("", description="文号 or title when resolved; empty while the cited document is not stored")
    document: DocumentRef | None = None


class Provenance(Shape):
    source_id: str
    url: str
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    fetched_at: UtcDatetime | None = None
    content_hash: str = ""
    body_sha256: str = ""
    warc_record: str = ""
    replay: str | None = Field(None, description="API path of the captured response, when one was captured")


class VersionInfo(Shape):
    id: int
    seq: int
    fetched_at: UtcDatetime
    content_hash: str
    body_sha256: str = ""
    title: str = ""
    chars: int = 0
    warc_record: str = ""
    latest: bool = False


class VersionText(VersionInfo):
    document_id: int
    text: str
    status: str = Field(description="current, or revised (已被修改) when a later capture replaced it")
    replaced_by: int | None = None
    as_of: date | None = None
    exact: bool = Field(True, description="False when the first capture came after the as-of day")


class LineageLink(Shape):
    """Text reuse between two documents: ``share`` of the borrower's text is found in the source."""

    document: DocumentRef
    share: float
    reverse_share: float | None = None
    paragraph_share: float | None = None
    directed: bool = True
    passages: list[str] = []
    source_passages: list[str] = []


class SuccessionLink(Shape):
    document: DocumentRef
    score: float | None = None
    headline: str = ""
    targets: list[dict[str, Any]] = []
    new_topics: list[str] = []
    dropped_topics: list[str] = []


class RelationsSummary(Shape):
    borrows: list[LineageLink] = []
    borrowed_by: list[LineageLink] = []
    predecessors: list[SuccessionLink] = []
    successors: list[SuccessionLink] = []
    cited_by: list[DocumentRef] = []


class DocumentDetail(DocumentSummary):
    notice_title: str | None = None
    ai: AiRelevance = AiRelevance()
    outline: list[OutlineNode] = []
    targets: list[Target] = []
    responsibilities: list[Responsibility] = []
    citations: list[Citation] = []
    attachments: list[Attachment] = []
    validity: Validity
    provenance: Provenance
    versions: list[VersionInfo] = []
    relations: RelationsSummary = RelationsSummary()


class Problem(Shape):
    """The one error body of /api/v1: every 4xx and 5xx answer has this shape."""

    status: int
    error: str = Field(description="not_found | invalid_request | validation_error | http_error | internal_error")
    message: str
    details: list[dict[str, Any]] = []
