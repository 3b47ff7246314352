"""The generic spider: everything about a site comes from its source definition.

Run ``scrapy crawl generic -a source=<id>`` or simply ``scrapy crawl <id>`` (the spider loader
makes one spider name per source). It reads every list page (bounded by the page cap), follows
document links, fetches attachments, and yields ``PageItem`` for new or changed detail pages and
``GoneItem`` for known pages answering 404/410. ``inventory()`` tells the bus pipeline, at the end,
which detail URLs the lists showed and whether every list page was read.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.attachments import extract_attachment, find_attachment_links, kind_of
from crawlers.catalog import PACKAGE_SOURCES_DIR, SourceDefinition, find_source, load_sources
from crawlers.incremental import UNCHANGED_FLAG, CrawlState
from crawlers.items import GoneItem, PageItem
from crawlers.layouts import (
    ListLink,
    is_sequential,
    lenient_selector,
    pagination_urls,
    parse_list,
    template_url,
)

GONE_STATUSES = (404, 410)
MAX_RECORDED_FAILURES = 50


def _now() -> str:
    return datetime.now(UTC).isoformat()


class GenericSpider(scrapy.Spider):
    name = "generic"
    source_id: str = ""  # set on the per-source subclasses made by the spider loader

    def __init__(
        self,
        source: SourceDefinition,
        page_cap: int = 50,
        known_urls: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.page_cap = page_cap
        self.known_urls = known_urls
        self.allowed_domains = list(source.allowed_domains)
        self._list_seen: set[str] = set()
        self._lists_outstanding = 0
        self._lists_read = 0
        self._list_failed = False
        self._capped = False
        self._probed = False
        self.links: dict[str, ListLink] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GenericSpider:
        settings = crawler.settings
        source_id = kwargs.pop("source", None) or cls.source_id
        if not source_id:
            raise ValueError("which source? run: scrapy crawl generic -a source=<id> (see: scrapy list)")
        dirs = [Path(d) for d in settings.getlist("POLICYWATCH_SOURCES_DIRS")] or [PACKAGE_SOURCES_DIR]
        sources = load_sources(dirs, settings.get("POLICYWATCH_SIMULATOR_URL", ""))
        source = find_source(sources, source_id)
        state_dir = settings.get("POLICYWATCH_STATE_DIR")
        known = frozenset(CrawlState.load(state_dir, source.id).known_detail_urls()) if state_dir else frozenset()
        spider = cls(
            *args, source=source, page_cap=settings.getint("POLICYWATCH_PAGE_CAP", 50), known_urls=known, **kwargs
        )
        spider._set_crawler(crawler)
        return spider

    # --- inventory ----------------------------------------------------------------------------

    def lists_complete(self) -> bool:
        """True when every list page was read: only then may missing documents count as removed."""
        return (
            self._lists_read > 0
            and self._lists_outstanding == 0
            and not self._list_failed
            and not self._capped
            and bool(self.links)  # lists that show nothing mean broken selectors, not an empty site
            and self.source.pagination.complete
        )

    def inventory(self) -> tuple[bool, list[str]]:
        return self.lists_complete(), sorted(self.links)

    def _fail(self, kind: str, url: str, why: str) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"policywatch/{kind}_failures")
        failures = stats.get_value("policywatch/failures") or []
        if len(failures) < MAX_RECORDED_FAILURES:
            stats.set_value("policywatch/failures", [*failures, f"{kind} {url}: {why}"])
        self.logger.warning("%s %s failed: %s", kind, url, why)

    # --- lists ----------------------------------------------------------------------------------

    def _offsite(self, url: str) -> bool:
        """Our list and attachment requests skip Scrapy's dupefilter (dont_filter), which also
        skips its offsite filter: check the source's domains here instead."""
        host = (urlsplit(url).hostname or "").lower()
        if any(host == domain or host.endswith("." + domain) for domain in self.allowed_domains):
            return False
        self.crawler.stats.inc_value("policywatch/offsite_skipped")
        self.logger.info("offsite link not followed: %s", url)
        return True

    def _list_request(self, url: str) -> scrapy.Request | None:
        if url in self._list_seen or self._offsite(url):
            return None
        max_pages = self.source.pagination.max_pages
        if max_pages and len(self._list_seen) >= min(max_pages, self.page_cap):
            return None  # by design: this source is read only for its newest documents
        if len(self._list_seen) >= self.page_cap:
            if not self._capped:
                self.logger.warning("page cap %d reached for %s: inventory incomplete", self.page_cap, self.source.id)
                self.crawler.stats.set_value("policywatch/page_cap_reached", True)
            self._capped = True
            return None
        self._list_seen.add(url)
        self._lists_outstanding += 1
        return scrapy.Request(
            url, callback=self.parse_list, errback=self.list_failed, meta={"pw_kind": "list"}, dont_filter=True,
            priority=10,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.list_urls:
            request = self._list_request(url)
            if request is not None:
                yield request

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        self._lists_outstanding -= 1
        self._lists_read += 1
        self.crawler.stats.inc_value("policywatch/list_pages")
        if not isinstance(response, TextResponse):
            self._list_failed = True
            self._fail("list", response.url, f"not a text response ({type(response).__name__})")
            yield from self._after_lists()
            return
        try:
            page = parse_list(self.source, response.url, response.text)
        except ValueError as exc:
            self._list_failed = True
            self._fail("list", response.url, str(exc))
            yield from self._after_lists()
            return
        if not page.links:
            self.crawler.stats.inc_value("policywatch/empty_list_pages")
            if response.meta.get("pw_first") is None:
                self._fail("list", response.url, "no document links found (do the [links] selectors still match?)")
        new_links = 0
        for link in page.links:
            if link.url in self.links or self._offsite(link.url):
                continue
            self.links[link.url] = link
            new_links += 1
            yield self._detail_request(link)
        first = response.meta.get("pw_first", response.url)
        more = page.next_urls + pagination_urls(self.source, first, page.total, self.page_cap)
        number = int(response.meta.get("pw_page_number", 1))
        if is_sequential(self.source) and new_links:
            more.append(template_url(self.source, first, number + 1))
        for url in more:
            request = self._list_request(url)
            if request is not None:
                request.meta["pw_first"] = first
                request.meta["pw_page_number"] = number + 1
                yield request
        yield from self._after_lists()

    def list_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        self._lists_outstanding -= 1
        request = failure.request
        beyond_the_end = (
            is_sequential(self.source)
            and request.meta.get("pw_first") is not None
            and failure.check(HttpError)
            and failure.value.response.status == 404
        )
        if beyond_the_end:
            # Reading page after page until one is missing: a 404 there is the end of the list.
            self.crawler.stats.inc_value("policywatch/sequential_pagination_end")
        else:
            self._list_failed = True
            self._fail("list", request.url, _describe(failure))
        yield from self._after_lists()

    def _after_lists(self) -> Iterator[scrapy.Request]:
        """Once all lists are read, probe known pages the lists no longer show (404/410 → gone)."""
        if self._lists_outstanding or self._probed or not self.lists_complete():
            return
        self._probed = True
        for url in sorted(self.known_urls - set(self.links)):
            self.crawler.stats.inc_value("policywatch/probes")
            yield scrapy.Request(
                url, callback=self.parse_detail, errback=self.detail_failed,
                meta={"pw_kind": "probe", "handle_httpstatus_list": list(GONE_STATUSES)},
            )

    # --- details ------------------------------------------------------------------------------

    def _detail_request(self, link: ListLink) -> scrapy.Request:
        return scrapy.Request(
            link.url, callback=self.parse_detail, errback=self.detail_failed,
            meta={"pw_kind": "detail", "pw_link": link, "handle_httpstatus_list": list(GONE_STATUSES)},
        )

    def parse_detail(self, response: Response) -> Iterator[Any]:
        kind = response.meta["pw_kind"]
        if response.status in GONE_STATUSES:
            yield GoneItem(
                source_id=self.source.id, url=str(response.meta.get("pw_state_key", response.url)),
                status=response.status, reason=f"HTTP {response.status}", observed_at=_now(),
            )
            return
        if UNCHANGED_FLAG in response.flags:
            self.crawler.stats.inc_value("policywatch/unchanged")
            return
        if kind == "probe":
            self.crawler.stats.inc_value("policywatch/unlisted_but_alive")
            return
        if not isinstance(response, TextResponse):
            self._fail("detail", response.url, f"not a text page ({response.headers.get('Content-Type')!r})")
            return
        link: ListLink = response.meta["pw_link"]
        item = PageItem(
            source_id=self.source.id,
            url=link.url,  # the listed URL: the document's identity, whatever it redirects to
            final_url=response.url,
            status=response.status,
            fetched_at=_now(),
            encoding=response.encoding,
            html=response.text,
            body_sha256=hashlib.sha256(response.body).hexdigest(),
            list_title=link.title,
            list_date=link.date,
            region_hint=self.source.region,
            detail_hints=self.source.detail_hints(),
            warc_record=response.meta.get("pw_warc_record", ""),
        )
        pending = self._attachment_links(response, link)
        yield from self._next_attachment(item, pending)

    def detail_failed(self, failure: Failure) -> None:
        self._fail(str(failure.request.meta.get("pw_kind", "detail")), failure.request.url, _describe(failure))

    # --- attachments --------------------------------------------------------------------------

    def _attachment_links(self, response: TextResponse, link: ListLink) -> list[tuple[str, str]]:
        selector = lenient_selector(response.text)
        found = dict(find_attachment_links(selector, response.url, self.source.detail.attachments))
        for name, url in link.attachments:
            found.setdefault(url, name)
        return list(found.items())

    def _next_attachment(self, item: PageItem, pending: list[tuple[str, str]]) -> Iterator[Any]:
        if not pending:
            yield item
            return
        (url, name), rest = pending[0], pending[1:]
        if kind_of(url) is None or self._offsite(url):
            status = "recorded" if kind_of(url) is None else "recorded (offsite, not fetched)"
            item.attachments.append(
                {"url": url, "name": name, "kind": kind_of(url) or "other", "status": status, "text": ""}
            )
            yield from self._next_attachment(item, rest)
            return
        yield scrapy.Request(
            url, callback=self.parse_attachment, errback=self.attachment_failed,
            meta={"pw_kind": "attachment", "pw_item": item, "pw_pending": rest, "pw_name": name},
            dont_filter=True,
        )

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        item: PageItem = response.meta["pw_item"]
        url = str(response.meta.get("pw_state_key", response.url))
        record = extract_attachment(url, response.meta["pw_name"], response.body)
        record["warc_record"] = response.meta.get("pw_warc_record", "")
        if record["status"] != "extracted":
            self.crawler.stats.inc_value("policywatch/attachment_text_failures")
        item.attachments.append(record)
        self.crawler.stats.inc_value("policywatch/attachments")
        yield from self._next_attachment(item, response.meta["pw_pending"])

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        item: PageItem = request.meta["pw_item"]
        why = _describe(failure)
        self._fail("attachment", request.url, why)
        item.attachments.append(
            {"url": request.url, "name": request.meta["pw_name"], "kind": kind_of(request.url) or "other",
             "status": f"failed: {why}", "text": ""}
        )
        yield from self._next_attachment(item, request.meta["pw_pending"])


def _describe(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"
