"""Archive exports: documents (optionally every version with its text) as JSON Lines or CSV.

Rows are streamed from a server-side cursor in batches, so an export never holds the table in memory.
A row is one document (with its latest version id) or, with ``versions``, one version with its
document's metadata; with ``analysis``, the row also carries the analysis (of the latest version, or of
that version) as one JSON object: outline, targets, responsibilities, citations, attachments. CSV cells are text: lists are JSON arrays, missing values are empty, and
``read_csv`` restores the types, so both formats parse back to the rows ``iter_rows`` yields.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, Literal, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, DocumentVersion

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")

DOCUMENT_COLUMNS = (
    "id", "key", "source_id", "url", "title", "doc_number", "issuers", "province", "city", "district",
    "region_code", "admin_level", "doc_type", "ai_label", "ai_score", "topics", "issue_date", "publish_date",
    "effective_date", "expiry_date", "status", "first_seen", "last_seen", "latest_version_id",
)
VERSION_COLUMNS = (
    "version_id", "seq", "fetched_at", "content_hash", "body_sha256", "warc_record", "version_title", "text",
)
_INTS = frozenset({"id", "latest_version_id", "version_id", "seq"})
_FLOATS = frozenset({"ai_score"})
_LISTS = frozenset({"issuers", "topics"})
_OBJECTS = frozenset({"analysis"})
_NULLABLE = frozenset({
    "doc_number", "province", "city", "district", "region_code", "admin_level", "doc_type", "ai_label",
    "issue_date", "publish_date", "effective_date", "expiry_date", *_INTS, *_FLOATS,
})


def columns(versions: bool = False, analysis: bool = False) -> tuple[str, ...]:
    base = DOCUMENT_COLUMNS + VERSION_COLUMNS if versions else DOCUMENT_COLUMNS
    return (*base, "analysis") if analysis else base


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def iter_rows(
    session: Session, versions: bool = False, batch: int = 200, analysis: bool = False
) -> Iterator[dict[str, Any]]:
    """Documents in id order (with ``versions``: every version, by document and seq) as JSON-ready dicts."""
    doc_cols = [getattr(Document, name) for name in DOCUMENT_COLUMNS]
    v = DocumentVersion
    extra = [v.analysis] if analysis else []
    if versions:
        stmt = (
            select(*doc_cols, v.id.label("version_id"), v.seq, v.fetched_at, v.content_hash, v.body_sha256,
                   v.warc_record, v.title.label("version_title"), v.text, *extra)
            .join(v, v.document_id == Document.id)
            .order_by(Document.id, v.seq)
        )
    elif analysis:
        stmt = select(*doc_cols, *extra).outerjoin(v, v.id == Document.latest_version_id).order_by(Document.id)
    else:
        stmt = select(*doc_cols).order_by(Document.id)
    names = columns(versions, analysis)
    for row in session.execute(stmt.execution_options(yield_per=batch)):
        yield {name: _plain(value) for name, value in zip(names, row, strict=True)}


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_lines(rows: Iterable[dict[str, Any]], names: tuple[str, ...]) -> Iterator[str]:
    """A header line, then one CSV record per row (RFC 4180 quoting; texts keep their line breaks)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        out = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return out

    writer.writerow(names)
    yield flush()
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
        yield flush()


def export_lines(session: Session, fmt: Format, versions: bool = False, analysis: bool = False) -> Iterator[str]:
    """The whole export as a stream of text chunks."""
    rows = iter_rows(session, versions, analysis=analysis)
    if fmt == "jsonl":
        return jsonl_lines(rows)
    if fmt == "csv":
        return csv_lines(rows, columns(versions, analysis))
    raise ValueError(f"unknown export format {fmt!r} (use {' or '.join(FORMATS)})")


def write_export(
    session: Session, out: TextIO, fmt: Format, versions: bool = False, analysis: bool = False
) -> int:
    """Write an export to ``out``; returns the number of rows written."""
    written = -1 if fmt == "csv" else 0  # the CSV header is not a row
    for chunk in export_lines(session, fmt, versions, analysis):
        out.write(chunk)
        written += 1
    return max(written, 0)


def read_jsonl(source: TextIO) -> Iterator[dict[str, Any]]:
    for line in source:
        if line.strip():
            yield json.loads(line)


def _typed(name: str, cell: str) -> Any:
    if cell == "" and name in _NULLABLE:
        return None
    if name in _INTS:
        return int(cell)
    if name in _FLOATS:
        return float(cell)
    if name in _LISTS:
        return json.loads(cell) if cell else []
    if name in _OBJECTS:
        return json.loads(cell) if cell else None
    return cell


def read_csv(source: TextIO) -> Iterator[dict[str, Any]]:
    """Rows of an export CSV with their types restored (open the file with ``newline=""``)."""
    for record in csv.DictReader(source):
        yield {name: _typed(name, cell) for name, cell in record.items()}
