"""Targets across regions: one metric (人工智能核心产业规模 …) × region × year, from every stored plan's
analysis, as rows for a table, a chart and a CSV.

A target names its metric the way its plan prints it; a query matches a metric equal to it or containing
it, after width and whitespace folding. When the analysis carries canonical forms (``value_normalized``,
``unit_normalized``) those are used, so 1万亿元 and 10000亿元 compare.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from policywatch.archive import comparison_models as cm
from policywatch.archive import models as m
from policywatch.archive.documents import ref
from storage.models import Document, DocumentVersion
from zhtext.normalize import canonical_form
from zhtext.regions import lookup

MAX_METRICS = 30
CSV_COLUMNS = ("metric", "region", "region_code", "year", "comparator", "value", "unit", "document_id",
               "title", "doc_number", "text")


def _targets(session: Session, region: str | None) -> Iterator[tuple[Document, m.Target]]:
    stmt = (
        select(Document, DocumentVersion.analysis)
        .join(DocumentVersion, DocumentVersion.id == Document.latest_version_id)
        .where(Document.status == "active")
        .order_by(Document.id)
    )
    if region:
        found = lookup(region)
        if found is not None:
            width = {"provincial": 2, "municipal": 4}.get(found.level, 6)
            stmt = stmt.where(Document.region_code.like(found.code[:width] + "%"))
    for document, analysis in session.execute(stmt.execution_options(yield_per=500)):
        for target in m.coerce_list(m.Target, (analysis or {}).get("targets")):
            if target.metric:
                yield document, target


def compare_targets(session: Session, metric: str | None = None, region: str | None = None) -> cm.TargetComparison:
    """Every stored target of ``metric`` by region and year (all metrics' names when none is given)."""
    wanted = canonical_form(metric) if metric else ""
    counts: Counter[str] = Counter()
    rows: list[cm.TargetRow] = []
    for document, target in _targets(session, region):
        name = str(target.metric)
        counts[name] += 1
        if not wanted or wanted not in canonical_form(name):
            continue
        value = target.value_normalized if target.value_normalized is not None else target.value
        unit = target.unit_normalized or target.unit
        rows.append(cm.TargetRow(
            metric=name, region=ref(document).region, region_code=document.region_code, year=target.year,
            value=value, unit=unit, comparator=target.comparator, text=target.text, document=ref(document),
        ))
    rows.sort(key=lambda r: (r.region_code or "", r.year or 0, r.document.id))
    return cm.TargetComparison(metric=metric, rows=rows, metrics=[k for k, _ in counts.most_common(MAX_METRICS)])


def comparison_csv(comparison: cm.TargetComparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in comparison.rows:
        writer.writerow([r.metric, r.region, r.region_code or "", r.year or "", r.comparator or "",
                         "" if r.value is None else r.value, r.unit or "", r.document.id, r.document.title,
                         r.document.doc_number or "", r.text])
    return out.getvalue()
