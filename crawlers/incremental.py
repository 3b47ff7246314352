"""Incremental recrawl: conditional GETs plus a content hash, so only what changed is published.

The state of a source (``core.crawl_state.CrawlState``) comes from the database, as a snapshot file the
crawl runner hands in: for every URL seen, its validators (ETag, Last-Modified) and body sha256, and
for list pages the body. Each request for a known page carries ``If-None-Match`` /
``If-Modified-Since``; a 304 is answered from the stored body (list pages, whose links form the
inventory) or with an empty body (detail pages, which are not parsed again) and flagged
``pw_unchanged``; a 200 whose body hash equals the stored one (servers without validators) is flagged
the same way. The spider publishes nothing for unchanged detail pages.

**The seen-mark follows durability.** A detail page that is new or changed gets no state here: its
event carries its validators, and the store stage records them in the transaction that commits the
version. A crawl killed, a publish lost, a consumer crashed — anywhere between fetch and commit — and
the page has no state, so the next crawl fetches and publishes it again. What the crawl itself
reports back (the ``CrawlBook``'s report, saved by the runner's caller) is only what is safe without
that commit: list pages, fresh validators of detail pages whose content is already stored, and the
window of a newest-pages-only source. Attachments carry no validators: they are fetched only when
their page changed, and then in full.

Why not Scrapy's HTTP cache: it cannot tell the spider that a response was revalidated, serves
Last-Modified-only pages from cache without asking (NOTES.md), and commits on download, not delivery.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes

from core.crawl_state import CrawlState, PageState, WindowSnapshot
from crawlers.config import CrawlConfig

log = logging.getLogger(__name__)

UNCHANGED_FLAG = "pw_unchanged"
BODY_SHA_META = "pw_body_sha256"
_BOOK_ATTRIBUTE = "_policywatch_crawl_book"


def validators_of(response: Response) -> dict[str, str]:
    """The validators a response came with, as ``PageValidators`` fields."""
    def header(name: bytes) -> str:
        return str(response.headers.get(name, b"").decode("latin-1"))

    return {"etag": header(b"ETag"), "last_modified": header(b"Last-Modified"), "content_type": header(b"Content-Type")}


class CrawlBook:
    """One crawl's view of its source's state: the snapshot it started from, and its report."""

    def __init__(self, snapshot: CrawlState, report_path: Path | None) -> None:
        self.snapshot = snapshot
        self.report = CrawlState(snapshot.source_id)
        self.report_path = report_path

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlBook | None:
        """The book of ``crawler``'s process (None for a crawl not started by policywatch)."""
        if hasattr(crawler, _BOOK_ATTRIBUTE):
            return getattr(crawler, _BOOK_ATTRIBUTE)  # type: ignore[no-any-return]
        config = CrawlConfig.of(crawler)
        book = None
        if config.state_file is not None:
            try:
                book = cls(CrawlState.read(config.state_file), config.state_report_file)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("crawl state %s unreadable (%s): starting a full crawl", config.state_file, exc)
                book = cls(CrawlState(""), config.state_report_file)
        setattr(crawler, _BOOK_ATTRIBUTE, book)
        return book

    def get(self, url: str) -> PageState | None:
        return self.snapshot.pages.get(url)

    def known_detail_urls(self) -> set[str]:
        return {url for url, page in self.snapshot.pages.items() if page.kind == "detail"}

    def keep(self, page: PageState) -> None:
        """Report a state that needs no store commit (see the module docstring)."""
        self.report.pages[page.url] = page

    def window(self) -> WindowState:
        known = self.snapshot.window or WindowSnapshot()
        return WindowState(set(known.window), dict(known.departed))

    def save(self) -> None:
        if self.report_path is not None:
            self.report.write(self.report_path)


class ConditionalGetMiddleware:
    """Downloader middleware implementing the recrawl described in the module docstring."""

    def __init__(self, book: CrawlBook, stats: Any) -> None:
        self.book = book
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        book = CrawlBook.of(crawler)
        if book is None:
            log.info("incremental recrawl off: no crawl state (a crawl not started by policywatch)")
            raise NotConfigured("no crawl state")
        middleware = cls(book, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, spider: Any) -> None:
        self.book.save()

    @staticmethod
    def _key(request: Request) -> str:
        """State is kept under the URL first requested (the listed URL), across redirects."""
        return str(request.meta.setdefault("pw_state_key", request.url))

    def _usable(self, request: Request) -> PageState | None:
        """The known state of a list, detail or probe request, if it can answer a 304."""
        if request.meta.get("pw_kind") not in ("list", "detail", "probe"):
            return None
        page = self.book.get(self._key(request))
        if page is None or (page.kind == "list" and page.body is None):
            return None
        return page

    def process_request(self, request: Request) -> None:
        page = self._usable(request)
        if page is None:
            return
        if page.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = page.etag
        if page.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = page.last_modified

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get("pw_kind")
        if kind not in ("list", "detail", "probe"):
            return response
        key = self._key(request)
        page = self._usable(request)
        if response.status == 304 and page is not None:
            self.stats.inc_value("policywatch/not_modified")
            body = page.body or b""
            headers = Headers({"Content-Type": page.content_type} if page.content_type else {})
            cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
            return cls(
                url=response.url, status=200, headers=headers, body=body, request=request,
                flags=[*response.flags, UNCHANGED_FLAG],
            )
        if response.status != 200:
            return response
        sha256 = hashlib.sha256(response.body).hexdigest()
        request.meta[BODY_SHA_META] = sha256
        fresh = PageState(
            url=key, kind="list" if kind == "list" else "detail", sha256=sha256, **validators_of(response),
            body=response.body if kind == "list" else None,
        )
        if kind == "list":
            self.book.keep(fresh)
        known = self.book.get(key)
        if known is not None and known.sha256 == sha256:
            # Same content as committed: fresh validators are safe to keep at once; nothing to publish.
            self.stats.inc_value("policywatch/unchanged_by_hash")
            self.book.keep(fresh)
            return response.replace(flags=[*response.flags, UNCHANGED_FLAG])
        return response


class WindowState:
    """Removals on a newest-pages-only source (``pagination.complete = false``).

    Such a source never lists every document, so "missing from the list" means nothing by itself:
    a document normally leaves the window because newer ones pushed it to an older page. The state
    remembers which URLs the window showed last crawl; those that left it since are queued and
    probed (a 404/410 is a removal, anything alive is simply dropped from the queue), a bounded
    number per crawl, oldest first. A URL leaves the queue only when its probe answered alive or its
    ``GoneItem`` was delivered, so a failed probe or publish is retried next crawl.
    """

    def __init__(self, window: set[str] | None = None, departed: dict[str, str] | None = None) -> None:
        self.window: set[str] = window or set()
        self.departed: dict[str, str] = departed or {}  # URL -> when it left the window (ISO time)

    def observe(self, urls: set[str], now: str) -> list[str]:
        """Record the window this crawl showed; return the URLs that newly left it."""
        left = sorted(self.window - urls)
        for url in left:
            self.departed.setdefault(url, now)
        for url in urls:
            self.departed.pop(url, None)  # listed again: nothing to check
        self.window = set(urls)
        return left

    def due(self, limit: int) -> list[str]:
        """The queued URLs to probe this crawl, oldest departure first."""
        ordered = sorted(self.departed.items(), key=lambda pair: (pair[1], pair[0]))
        return [url for url, _ in ordered[: max(0, limit)]]

    def resolve(self, url: str) -> None:
        self.departed.pop(url, None)

    def requeue(self, url: str, now: str) -> None:
        """A probe that failed goes to the back of the queue, so it cannot starve the others."""
        if url in self.departed:
            self.departed[url] = now

    def snapshot(self) -> WindowSnapshot:
        return WindowSnapshot(sorted(self.window), dict(sorted(self.departed.items())))
