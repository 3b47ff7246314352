"""Diff-and-store stage: stores each new version once and records what changed.

Idempotency: a version is stored only when its content hash differs from the document's latest
version, and each change has a unique dedup key. Changes are a transactional outbox: they are
committed with the version, then published; ``published_at`` is set only after the broker's ack.
A redelivered event whose content is already stored just publishes what the outbox still holds.

The seen-mark follows durability: the page's crawl state (body hash and validators, carried by the
event) is recorded in the same transaction that stores the version or finds the content unchanged,
and forgotten with a removal (``storage.crawl_state``). Until that commit the crawler has no state
for the page and fetches it again, so nothing fetched is ever lost between crawl and store.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from consumers.conflicts import retry_on_conflict
from consumers.diffing.lineage import LineageIndex
from consumers.diffing.predecessors import compare_with_predecessors
from consumers.diffing.textdiff import diff_versions
from consumers.relations import record_relations
from consumers.significance import grade_new, grade_removal, grade_revision
from core.bus import EventProducer
from core.errors import PermanentError
from core.events import (
    DocumentChanged,
    DocumentGone,
    DocumentUnderstood,
    Envelope,
    Payload,
    SourceInventory,
    document_key,
)
from core.metrics import FETCHED_TO_STORED, Metrics, seconds_since
from core.tracing import current_trace
from storage import documents as repo
from storage.crawl_state import forget_page, record_page
from storage.db import transaction
from storage.models import Change, Document, DocumentVersion
from storage.search_index import index_version

log = logging.getLogger(__name__)


# Shared text below this share is listed in the alert body but too common to headline.
HEADLINE_SHARE = 0.15


def _issued(document: Document) -> date | None:
    return document.issue_date or document.publish_date


class StoreStage:
    name = "store"
    input_topic = "documents"

    def __init__(
        self,
        factory: sessionmaker[Session],
        producer: EventProducer,
        metrics: Metrics,
        removed_after_missing: int = 2,
    ) -> None:
        self._factory = factory
        self._producer = producer
        self._metrics = metrics
        self._removed_after_missing = removed_after_missing
        self._lineage = LineageIndex()
        self._indexed: dict[int, int] = {}  # document id -> version id in the lineage index

    def handle(self, envelope: Envelope, payload: Payload) -> None:
        retry_on_conflict(lambda: self._handle(envelope, payload), f"store of {envelope.subject}")
        self.publish_outbox()

    def _handle(self, envelope: Envelope, payload: Payload) -> None:
        if isinstance(payload, DocumentUnderstood):
            self.store(payload)
        elif isinstance(payload, DocumentGone):
            with transaction(self._factory) as session:
                document = repo.document_by_key(session, document_key(payload.url))
                if document is not None and document.status == "active":
                    self._remove(session, document, payload.reason)
                forget_page(session, payload.source_id, payload.url)
        elif isinstance(payload, SourceInventory):
            with transaction(self._factory) as session:
                self._inventory(session, payload)
        else:
            raise PermanentError(f"store stage does not handle {envelope.type}")

    def store(self, event: DocumentUnderstood) -> None:
        """Store one understood document in one transaction (its version, relations and change row)."""
        with transaction(self._factory) as session:
            stored = self._store(session, event)
        if stored:
            self._metrics.latency.labels(FETCHED_TO_STORED).observe(seconds_since(event.fetched_at))

    def publish_outbox(self, unalerted_before: datetime | None = None) -> int:
        """Publish every unpublished change, oldest first; returns how many were published.

        With ``unalerted_before``, changes published before that time but never handled by the alert stage
        are published again too: their event was lost in flight (the embedded broker keeps nothing across
        a crash). The alert stage is idempotent, so a duplicate costs nothing; ``published_at`` is moved
        on so that a slow alert stage is not flooded with copies.
        """
        with transaction(self._factory) as session:
            changes = list(repo.unpublished_changes(session))
            if unalerted_before is not None:
                changes += repo.unalerted_changes(session, unalerted_before)
            pending = [(c.id, c.trace_id, self._event(session, c)) for c in changes]
        for change_id, trace_id, event in pending:
            self._producer.publish(event, trace_id=trace_id)
            with transaction(self._factory) as session:
                change = session.get(Change, change_id)
                if change is not None and (change.published_at is None or change.alerted_at is None):
                    change.published_at = datetime.now(UTC)
        return len(pending)

    @staticmethod
    def _event(session: Session, change: Change) -> DocumentChanged:
        document = session.get(Document, change.document_id)
        assert document is not None
        return DocumentChanged(
            change_id=change.id,
            document_id=change.document_id,
            version_id=change.version_id,
            url=document.url,
            kind=change.kind,  # type: ignore[arg-type]
            detected_at=change.detected_at,
        )

    def _store(self, session: Session, event: DocumentUnderstood) -> bool:
        """Whether a new version was stored."""
        key = document_key(event.url)
        # Row lock (PostgreSQL): another store instance storing this document waits here, then sees the
        # version this one stored; a new document's unique key makes the loser retry (consumers.conflicts).
        document = session.scalars(select(Document).where(Document.key == key).with_for_update()).one_or_none()
        now = datetime.now(UTC)
        if document is None:
            document = Document(key=key, source_id=event.source_id, url=event.url, first_seen=now)
            session.add(document)
            session.flush()
        previous = repo.latest_version(session, document)
        if event.body_sha256:
            record_page(session, event.source_id, event.url, event.body_sha256, event.validators)
        document.last_seen = now
        document.missing_count = 0
        if document.status != "active":
            log.info("document %s is back on its site", event.url)
            document.status = "active"
        if previous is not None and previous.content_hash == event.content_hash:
            return False  # unchanged (or a redelivery): nothing new to store
        version = repo.add_version(
            session,
            document,
            content_hash=event.content_hash,
            body_sha256=event.body_sha256,
            fetched_at=event.fetched_at,
            title=event.title,
            text=event.text,
            analysis=event.analysis,
            warc_record=event.warc_record,
        )
        repo.apply_analysis(document, event.title, event.analysis)
        index_version(session, version)
        self._sync_lineage(session)  # the index now holds this version's sketch
        record_relations(session, document, version, self._lineage)
        if previous is None:
            kind, summary = "new", self._new_summary(session, document, event)
            summary["significance"] = grade_new(event.analysis)
        else:
            diff = diff_versions(previous.text, event.text, previous.analysis, event.analysis)
            if diff.is_trivial:
                log.info("version %d of %s differs only in form; no alert", version.seq, event.url)
                return True
            kind, summary = "revised", diff.to_dict()
            summary["significance"] = grade_revision(diff, previous.analysis, event.analysis)
        change = repo.add_change(session, document, kind, f"{key}:v{version.seq}:{kind}", summary, version, previous)
        change.trace_id = change.trace_id or current_trace.get()
        self._metrics.changes.labels(kind).inc()
        log.info("stored version %d of %s (%s)", version.seq, event.url, kind)
        return True

    def _new_summary(self, session: Session, document: Document, event: DocumentUnderstood) -> dict[str, Any]:
        """Summary of a new document: text shared with stored plans, and the region's earlier plans.

        Documents arrive in crawl order, not issue order, so each shared-text relation says which
        side was issued first: the earlier one is the likely source (柳州 2020 reuses 深圳 2019).
        """
        self._sync_lineage(session)  # includes this document; find_borrowings skips its own id
        borrowings = self._lineage.find_borrowings(document.id, event.text, document.region_code)
        ours = _issued(document)
        lineage = []
        for borrowing in borrowings:
            other = session.get(Document, borrowing.document_id)
            if other is None:
                continue
            theirs = _issued(other)
            direction = "unknown" if not (ours and theirs) else ("earlier" if theirs <= ours else "later")
            lineage.append(
                {
                    "document_id": other.id,
                    "title": other.title,
                    "region": " ".join(p for p in (other.province, other.city, other.district) if p),
                    "issued": theirs.isoformat() if theirs else None,
                    "direction": direction,
                    "share": round(borrowing.share, 3),
                    "same_region": borrowing.same_region,
                    "passages": list(borrowing.passages)[:3],
                }
            )
        candidates = repo.regional_candidates(session, document.region_code, document.id)
        predecessors = compare_with_predecessors(event.analysis, candidates)
        headline = f"新发布：{event.title}"
        notable = [item for item in lineage if item["share"] >= HEADLINE_SHARE]
        if notable:
            top = max(notable, key=lambda item: item["share"])
            pct, title = round(top["share"] * 100), top["title"]
            headline += {
                "earlier": f"；约{pct}%文本沿用更早发布的《{title}》",
                "later": f"；约{pct}%文本与更晚发布的《{title}》相同（对方沿用本文）",
            }.get(top["direction"], f"；约{pct}%文本与《{title}》相同")
        return {"headline": headline, "lineage": lineage, "predecessors": predecessors}

    def _sync_lineage(self, session: Session) -> None:
        """Bring the in-memory lineage index up to date with the store (other instances write too).

        Sketches are persisted with each version, so a restart rebuilds the index without
        re-reading texts; a version stored before sketches existed is sketched once and saved.
        """
        for doc_id, version_id, region_code in repo.lineage_entries(session):
            if self._indexed.get(doc_id) == version_id:
                continue
            if doc_id in self._lineage:
                self._lineage.remove(doc_id)
            version = session.get(DocumentVersion, version_id)
            assert version is not None
            meta = {"region_code": region_code}
            if version.lineage_signature:
                self._lineage.add_signature(doc_id, version.lineage_signature, meta)
            else:
                version.lineage_signature = self._lineage.add(doc_id, version.text, meta)
            self._indexed[doc_id] = version_id

    def _remove(self, session: Session, document: Document, reason: str) -> None:
        document.status = "removed"
        latest = repo.latest_version(session, document)
        seq = latest.seq if latest else 0
        summary = {"headline": f"撤下：{document.title}（{reason}）", "reason": reason,
                   "significance": grade_removal(reason)}
        change = repo.add_change(session, document, "removed", f"{document.key}:removed:after-v{seq}", summary, latest)
        change.trace_id = change.trace_id or current_trace.get()
        self._metrics.changes.labels("removed").inc()

    def _inventory(self, session: Session, event: SourceInventory) -> None:
        if not event.complete:
            log.info("crawl %s of %s was incomplete; not counting missing documents",
                     event.crawl_id, event.source_id)
            return
        seen = {document_key(url) for url in event.seen_urls}
        for document in repo.active_documents_of_source(session, event.source_id):
            if document.key in seen:
                document.missing_count = 0
                continue
            if document.last_missing_crawl == event.crawl_id:
                continue  # this inventory was already counted (redelivery)
            document.last_missing_crawl = event.crawl_id
            document.missing_count += 1
            if document.missing_count >= self._removed_after_missing:
                self._remove(
                    session, document, f"连续{document.missing_count}次未出现在栏目列表 (missing from list)"
                )
