"""Reading a source's history deeper than the schedule does (``policywatch backfill SOURCE --pages N``).

A scheduled crawl reads at most ``crawl.page_cap`` list pages (and a newest-pages-only source only its
``max_pages``), which is right every hour and wrong the day a source is added: its older plans sit on
later list pages. A backfill is the same crawl — same spider, incremental state, WARC captures, events
and stages — with the list-page bound raised to N for that one run, then waits until the stages have
stored what it published. A backfill stopped by N is "partial" like any capped crawl, so no document
is counted missing from an inventory it did not read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from crawlers.runner import CrawlResult
from policywatch.pipeline import Pipeline
from storage.models import Document, DocumentVersion

POLL_SECONDS = 0.3


@dataclass(frozen=True)
class BackfillReport:
    """What a backfill read and what the store kept of it."""

    source_id: str
    pages: int
    result: CrawlResult
    documents_before: int
    documents_after: int
    versions_added: int

    @property
    def more_pages(self) -> bool:
        """The list continues beyond the N pages read."""
        return bool(self.result.stats.get("page_cap_reached"))

    @property
    def ok(self) -> bool:
        """Read what it was asked to read (stopping at N is not a failure of a backfill)."""
        return self.result.ok or (self.result.outcome == "partial" and self.more_pages and not self.result.stats.get("failures"))

    def to_dict(self) -> dict[str, Any]:
        stats = self.result.stats
        return {
            "source": self.source_id, "pages_asked": self.pages, "outcome": self.result.outcome,
            "ok": self.ok, "list_pages_read": stats.get("list_pages", 0), "published": stats.get("published", 0),
            "unchanged": stats.get("unchanged", 0), "more_pages": self.more_pages,
            "new_documents": self.documents_after - self.documents_before, "versions_added": self.versions_added,
            "error": self.result.error, "seconds": round(self.result.duration_s, 1),
        }


def _counts(pipeline: Pipeline, source_id: str) -> tuple[int, int]:
    with pipeline.factory() as session:
        documents = session.scalar(select(func.count()).select_from(Document).where(Document.source_id == source_id))
        versions = session.scalar(
            select(func.count()).select_from(DocumentVersion)
            .join(Document, Document.id == DocumentVersion.document_id).where(Document.source_id == source_id)
        )
    return int(documents or 0), int(versions or 0)


def run_backfill(
    pipeline: Pipeline, source_id: str, pages: int, idle_timeout_s: float = 600.0,
    on_progress: Callable[[str, int], None] | None = None,
) -> BackfillReport:
    """Crawl ``source_id`` reading up to ``pages`` list pages, then wait for the stages to store it all.

    ``on_progress(phase, documents stored so far)`` is called while it runs ("crawling", "storing").
    """
    documents_before, versions_before = _counts(pipeline, source_id)
    outcome: list[CrawlResult] = []
    crawler = threading.Thread(
        target=lambda: outcome.append(pipeline.crawl(source_id, backfill_pages=pages)),
        name=f"backfill-{source_id}", daemon=True,
    )
    crawler.start()
    while crawler.is_alive():
        crawler.join(POLL_SECONDS)
        if on_progress is not None:
            on_progress("crawling", _counts(pipeline, source_id)[0] - documents_before)
    if on_progress is not None:
        on_progress("storing", _counts(pipeline, source_id)[0] - documents_before)
    deadline = time.monotonic() + idle_timeout_s
    while True:  # wait_idle in slices, so progress keeps moving on a big backfill
        try:
            pipeline.wait_idle(timeout_s=min(5.0, max(0.1, deadline - time.monotonic())))
            break
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise
            if on_progress is not None:
                on_progress("storing", _counts(pipeline, source_id)[0] - documents_before)
    documents_after, versions_after = _counts(pipeline, source_id)
    if on_progress is not None:
        on_progress("done", documents_after - documents_before)
    return BackfillReport(
        source_id, pages, outcome[0], documents_before, documents_after, versions_after - versions_before
    )
