"""Shapes of the archive's comparisons: diffs, lineage, the citation graph, a region's plans in order
and targets across regions (the document shapes are in ``models``)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from policywatch.archive.models import DocumentRef, LineageLink, Shape, Target, Validity


class Span(Shape):
    op: str = Field(description="replace | delete | insert")
    before: str
    after: str
    before_range: list[int]
    after_range: list[int]


class ParagraphChange(Shape):
    clause: str | None = None
    before: str
    after: str
    spans: list[Span]


class ParagraphRef(Shape):
    clause: str | None = None
    text: str


class NumberChange(Shape):
    before: str | None = None
    after: str | None = None
    context: str = ""


class TargetChange(Shape):
    metric: str | None = None
    year: int | None = None
    before: str | None = None
    after: str | None = None
    kind: str = ""


class Diff(Shape):
    """Clause-aligned differences between two texts (``consumers.diffing.diff_versions``)."""

    old: DocumentRef
    new: DocumentRef
    old_version_id: int
    new_version_id: int
    headline: str
    is_trivial: bool
    similarity: float
    added: list[ParagraphRef]
    removed: list[ParagraphRef]
    changed: list[ParagraphChange]
    numbers: list[NumberChange]
    targets: list[TargetChange]
    stats: dict[str, int]


class Lineage(Shape):
    """Both directions of text reuse: what the document borrows, and who borrows from it."""

    document: DocumentRef
    borrows: list[LineageLink]
    borrowed_by: list[LineageLink]


class CitingDocument(Shape):
    document: DocumentRef
    lag_months: int | None = Field(None, description="Months between the cited document's issue and this one's")
    method: str = ""


class CitedDocument(Shape):
    title: str | None = None
    doc_number: str | None = None
    method: str = ""
    document: DocumentRef | None = None
    lag_months: int | None = None


class CitationGraph(Shape):
    """What a document cites and what cites it; for a 文号 or title not stored, who cites that key."""

    document: DocumentRef | None = None
    key: str | None = None
    cites: list[CitedDocument] = Field(default_factory=list)
    cited_by: list[CitingDocument] = Field(default_factory=list)
    regions: list[str] = Field([], description="Regions of the citing documents (who implemented it)")


class RegionPlan(Shape):
    document: DocumentRef
    period_start: int | None = None
    period_end: int | None = None
    doc_type: str | None = None
    validity: Validity
    predecessor: DocumentRef | None = None
    successors: list[DocumentRef] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)


class RegionPlans(Shape):
    region: str
    code: str
    plans: list[RegionPlan]
    metrics: list[str] = Field([], description="Metrics set by more than one plan, for a side-by-side table")


class TargetRow(Shape):
    metric: str
    region: str
    region_code: str | None = None
    year: int | None = None
    value: float | None = None
    unit: str | None = None
    comparator: str | None = None
    text: str = ""
    document: DocumentRef


class TargetComparison(Shape):
    metric: str | None = None
    rows: list[TargetRow]
    metrics: list[str] = Field([], description="The most common metrics, to choose from")


class InForceList(Shape):
    on: date
    region: str | None = None
    total: int
    documents: list[DocumentRef]
