"""The incremental-recrawl state in the database: read before a crawl, advanced by what is durable.

Two writers, by design (``core.crawl_state`` explains the contract):

- the application, after a crawl, saves the crawl's report: list pages (with their bodies), detail
  pages whose body hash is unchanged (only if the stored hash is still that one), and the window;
- the store stage records a detail page (``record_page``) in the transaction that commits its version
  or finds its content unchanged, and forgets it (``forget_page``) with its removal.

So a page counts as seen exactly when its content is in the archive. Functions take a Session and
never commit. Rows are keyed by (source, sha256 of the URL): URLs can be longer than an index allows.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, undefer

from core.crawl_state import CrawlState, PageState, WindowSnapshot
from core.events import PageValidators
from storage.models import PageState as PageStateRow
from storage.models import WindowStateRow


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def load_crawl_state(session: Session, source_id: str) -> CrawlState:
    """The snapshot a crawl of ``source_id`` starts from."""
    rows = session.scalars(
        select(PageStateRow).where(PageStateRow.source_id == source_id).options(undefer(PageStateRow.body))
    )
    pages = {
        row.url: PageState(row.url, row.kind, row.sha256, row.etag, row.last_modified, row.content_type, row.body)
        for row in rows
    }
    window_row = session.get(WindowStateRow, source_id)
    window = (
        WindowSnapshot(list(window_row.window), {str(k): str(v) for k, v in window_row.departed.items()})
        if window_row is not None else None
    )
    return CrawlState(source_id, pages, window)


def _upsert(session: Session, values: dict[str, Any]) -> None:
    """Insert or replace one page state (one statement, so concurrent writers never collide)."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(PageStateRow).values(**values)
    changed = {k: statement.excluded[k] for k in values if k not in ("source_id", "url_hash")}
    session.execute(statement.on_conflict_do_update(index_elements=["source_id", "url_hash"], set_=changed))


def record_page(
    session: Session, source_id: str, url: str, sha256: str, validators: PageValidators, kind: str = "detail"
) -> None:
    """A detail page whose content is now durable: the next crawl may ask the site "not modified?"."""
    _upsert(session, {
        "source_id": source_id, "url_hash": url_hash(url), "url": url, "kind": kind, "sha256": sha256,
        "etag": validators.etag, "last_modified": validators.last_modified[:100],
        "content_type": validators.content_type[:200], "body": None, "updated_at": datetime.now(UTC),
    })


def forget_page(session: Session, source_id: str, url: str) -> None:
    session.execute(
        delete(PageStateRow).where(PageStateRow.source_id == source_id, PageStateRow.url_hash == url_hash(url))
    )


def save_crawl_report(session: Session, report: CrawlState) -> int:
    """Keep what a finished crawl reported (see the module docstring); returns the pages written."""
    now = datetime.now(UTC)
    written = 0
    for page in report.pages.values():
        values = {
            "etag": page.etag, "last_modified": page.last_modified[:100], "content_type": page.content_type[:200],
            "updated_at": now,
        }
        if page.kind == "list":
            _upsert(session, {
                "source_id": report.source_id, "url_hash": url_hash(page.url), "url": page.url, "kind": "list",
                "sha256": page.sha256, "body": page.body, **values,
            })
            written += 1
            continue
        # A detail page's validators move only if the committed content is still the one they belong to.
        written += session.execute(
            update(PageStateRow)
            .where(PageStateRow.source_id == report.source_id, PageStateRow.url_hash == url_hash(page.url),
                   PageStateRow.sha256 == page.sha256)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount or 0
    if report.window is not None:
        row = session.get(WindowStateRow, report.source_id) or WindowStateRow(source_id=report.source_id)
        row.window, row.departed, row.updated_at = list(report.window.window), dict(report.window.departed), now
        session.add(row)
    return written
