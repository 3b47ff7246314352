"""Re-running the analysis over stored versions after the analyser improved (``policywatch reanalyze``).

The text of a stored version did not change, only how it is read: so the new analysis replaces the
stored one, the document row and its citation keys follow when it is the latest version, and what moved
is recorded in ``analysis_revisions`` — no version, no change row, no alert. Running it twice changes
nothing the second time (the analysis compares equal), which makes it safe to interrupt and re-run.

Each version is read the way the classify stage read it: from the page as captured (WARC) when it can
be read back, else from the stored text. Read from text only, the page's own statements (its 信息公开
table: 文号, issuers, dates) cannot be seen, so those fields keep their stored values when the text
yields nothing for them instead of being reported as lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from consumers.analysis import analyze
from consumers.analysis_version import analyser_version
from consumers.classify_stage import PAGE_FIELDS
from storage import documents as repo
from storage import relations as rel
from storage.analysis_revisions import record_revision
from storage.db import transaction
from storage.models import Document, DocumentVersion

log = logging.getLogger(__name__)

# Keys of a stored analysis that are not the analyser's reading of the text.
NOT_ANALYSIS = frozenset({"attachments", "analyser_version"})

# (final URL, HTML) of a capture reference, or None when it cannot be read back.
CaptureReader = Callable[[str], "tuple[str, str] | None"]


@dataclass
class ReanalysisReport:
    """What a run did, for the final summary."""

    analyser_version: str
    examined: int = 0
    changed: int = 0
    unchanged: int = 0
    from_capture: int = 0
    from_text: int = 0
    failed: int = 0
    fields: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def versions_to_reanalyse(
    factory: sessionmaker[Session], since: datetime | None = None, source_id: str | None = None
) -> list[int]:
    """Ids of the stored versions in scope, oldest first."""
    query = select(DocumentVersion.id).join(Document, Document.id == DocumentVersion.document_id)
    if since is not None:
        query = query.where(DocumentVersion.fetched_at >= since)
    if source_id:
        query = query.where(Document.source_id == source_id)
    with factory() as session:
        return list(session.scalars(query.order_by(DocumentVersion.id)))


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Top-level analysis fields whose value differs, with (old, new)."""
    keys = (set(old) | set(new)) - NOT_ANALYSIS
    return {key: (old.get(key), new.get(key)) for key in sorted(keys) if old.get(key) != new.get(key)}


class Reanalyser:
    """Re-analyses versions one at a time: read (no transaction open), analyse, write in a short one."""

    def __init__(
        self, factory: sessionmaker[Session], read_capture: CaptureReader,
        hints_for: Callable[[str], dict[str, str]],
    ) -> None:
        self._factory = factory
        self._read_capture = read_capture
        self._hints_for = hints_for
        self.report = ReanalysisReport(analyser_version=analyser_version())

    def run(self, version_ids: list[int]) -> Iterator[int]:
        """Re-analyse each version, yielding its id when done (drives a progress bar)."""
        for version_id in version_ids:
            try:
                self.reanalyse(version_id)
            except Exception:  # one unreadable version must not stop the archive's re-analysis
                log.exception("re-analysis of version %d failed", version_id)
                self.report.failed += 1
            yield version_id

    def reanalyse(self, version_id: int) -> None:
        with self._factory() as session:
            row = session.execute(
                select(DocumentVersion, Document)
                .join(Document, Document.id == DocumentVersion.document_id)
                .where(DocumentVersion.id == version_id)
            ).one()
            version, document = row
            old, text, title = dict(version.analysis or {}), version.text, version.title
            reference = version.warc_record
            url, source_id, document_id = document.url, document.source_id, document.id
        self.report.examined += 1
        captured = self._read_capture(reference) if reference else None
        new = self._analyse(text, title, url, source_id, old, captured)
        diff = changed_fields(old, new)
        if not diff:
            self.report.unchanged += 1
            return
        with transaction(self._factory) as session:
            version = session.get(DocumentVersion, version_id)
            document = session.get(Document, document_id)
            assert version is not None and document is not None
            version.analysis = new
            record_revision(
                session, version_id, document_id, self.report.analyser_version,
                old={k: o for k, (o, _) in diff.items()}, new={k: n for k, (_, n) in diff.items()},
            )
            if document.latest_version_id == version_id:
                title = new.get("title") or version.title
                repo.apply_analysis(document, title, new)
                keys = rel.document_keys(document.doc_number, (document.title, new.get("notice_title")))
                rel.replace_keys(session, document.id, keys)
                rel.replace_citations(session, document.id, [
                    rel.CitationRef(title=c.get("title") or None, doc_number=c.get("doc_number") or None)
                    for c in new.get("citations") or [] if isinstance(c, dict)
                ])
                rel.resolve_citations_naming(session, document.id)
        self.report.changed += 1
        for key in diff:
            self.report.fields[key] = self.report.fields.get(key, 0) + 1

    def _analyse(
        self, text: str, title: str, url: str, source_id: str, old: dict[str, Any], captured: tuple[str, str] | None
    ) -> dict[str, Any]:
        """The analysis the classify stage would make of this version today."""
        # The list entry's title and date were hints to the first reading; the stored ones stand in (an
        # analysis without a title had no list title to fall back on).
        hints = dict(self._hints_for(source_id))
        if old.get("title"):
            hints["list_title"] = title
        if old.get("publish_date"):
            hints["list_date"] = str(old["publish_date"])
        extracted = any(a.get("status") == "extracted" for a in old.get("attachments") or [] if isinstance(a, dict))
        page: dict[str, Any] = {}
        if captured is not None:
            self.report.from_capture += 1
            final_url, html = captured
            page = analyze(html=html, url=final_url or url, hints=hints).to_dict()
            page.pop("text", None)
        else:
            self.report.from_text += 1
        if captured is not None and not extracted:
            new = page
        else:
            # The text holds the page's text and its attachments' (as the classify stage stored it).
            new = analyze(text=text, url=url, hints=hints).to_dict()
            new.pop("text", None)
            fallback = page or old
            new.update({k: fallback[k] for k in PAGE_FIELDS if fallback.get(k) and (page or not new.get(k))})
        new["attachments"] = old.get("attachments", [])
        new["analyser_version"] = self.report.analyser_version
        return json.loads(json.dumps(new, ensure_ascii=False))  # compared with what the JSON column gave back
