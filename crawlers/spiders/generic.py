"""The generic spider: everything about a site comes from its source definition.

Run ``scrapy crawl generic -a source=<id>`` or simply ``scrapy crawl <id>`` (the spider loader
makes one spider name per source). It reads every list page (bounded by the page cap), follows
document links, fetches attachments, and yields ``PageItem`` for new or changed detail pages and
``GoneItem`` for known pages answering 404/410. ``inventory()`` tells the bus pipeline, at the end,
which detail URLs the lists showed and whether every list page was read. Removals are found by
probing: on a complete source, known pages the lists no longer show; on a newest-pages-only
source, pages that left the window since the last crawl (``crawlers.incremental.WindowState``).
What the crawl knows from earlier crawls comes from its ``CrawlBook`` (``crawlers.incremental``).

One class on purpose: Scrapy drives a spider through its callbacks, and the lists, details, probes and
attachments of one crawl share its bookkeeping (what was listed, what is outstanding, what failed);
the parsing itself lives in ``layouts``, ``listpage``, ``attachments`` and ``incremental``.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.python.failure import Failure

from core.errors import SourceError
from crawlers.attachments import ExtractionLimits, extract_attachment, find_attachment_links, kind_of
from crawlers.catalog import SourceDefinition, find_source, load_sources
from crawlers.config import CrawlConfig
from crawlers.health import LIST_LINKS_STAT, TITLE_ANCHORS_STAT, title_anchors
from crawlers.incremental import BODY_SHA_META, UNCHANGED_FLAG, CrawlBook, WindowState, validators_of
from crawlers.items import GoneItem, PageItem
from crawlers.layouts import in_domains, is_sequential, pagination_urls, parse_list, template_url
from crawlers.listpage import ListLink, ListPage, lenient_selector

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
        window: WindowState | None = None,
        window_probes: int = 20,
        extraction_limits: ExtractionLimits | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.page_cap = page_cap
        self.known_urls = known_urls
        self.window = window  # only for newest-pages-only sources with crawl state
        self.window_probes = window_probes
        self.extraction_limits = extraction_limits or ExtractionLimits()
        self._gone_delivered: set[str] = set()
        self.allowed_domains = list(source.allowed_domains)
        self._list_seen: set[str] = set()
        self._lists_outstanding = 0
        self._lists_read = 0
        self._list_failed = False
        self._capped = False
        self._probed = False
        self.links: dict[str, ListLink] = {}
        self.backfill = False  # a backfill reads past the source's max_pages, up to its own page count

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GenericSpider:
        config = CrawlConfig.of(crawler)
        source_id = kwargs.pop("source", None) or cls.source_id
        if not source_id:
            raise ValueError("which source? run: scrapy crawl generic -a source=<id> (see: scrapy list)")
        sources = load_sources(config.crawl.sources_dirs, config.crawl.simulator_url)
        source = find_source(sources, source_id)
        if not cls.source_id and source.spider:
            # `scrapy crawl generic -a source=<id>` for a source with its own spider: use that class.
            coded = spider_class(source)
            if coded.custom_settings != cls.custom_settings:
                raise SourceError(
                    f"source {source.id!r} uses its own spider {source.spider} with its own settings: "
                    f"run: scrapy crawl {source.id}"
                )
            return coded.from_crawler(crawler, *args, **kwargs)
        book = CrawlBook.of(crawler)
        known = frozenset(book.known_detail_urls()) if book is not None else frozenset()
        window = book.window() if book is not None and not source.pagination.complete else None
        spider = cls(
            *args, source=source, page_cap=config.backfill_pages or config.crawl.page_cap, known_urls=known,
            window=window, window_probes=config.crawl.window_probes,
            extraction_limits=ExtractionLimits.from_settings(config.crawl), **kwargs,
        )
        spider._set_crawler(crawler)
        spider.backfill = bool(config.backfill_pages)
        if window is not None:
            crawler.signals.connect(spider._window_item_delivered, signal=signals.item_scraped)
            crawler.signals.connect(spider._save_window, signal=signals.spider_closed)
        return spider

    # --- hooks shared with `sources check` ----------------------------------------------------------

    @classmethod
    def read_list_page(cls, source: SourceDefinition, url: str, text: str) -> ListPage:
        """Parse one list page's text; override for a list format data cannot describe.

        ``policywatch sources check`` calls this on the source's own spider class, so an override
        here is checked too (an override of ``parse_list`` is not)."""
        return parse_list(source, url, text)

    @classmethod
    def next_list_urls(
        cls, source: SourceDefinition, first_url: str, page: ListPage, number: int, cap: int
    ) -> list[str]:
        """The list pages that list page ``number`` (1 = first) leads to, by the pagination rule.

        Template URLs are generated one past ``cap`` so that reaching the cap is noticed (and
        reported), never silently taken for the end of the list. Sequential pagination (no total)
        asks for the next page only while pages bring links; the spider additionally requires
        *new* links. ``sources check`` uses this too, so override it for a custom pagination."""
        more = page.next_urls + pagination_urls(source, first_url, page.total, cap + 1)
        if is_sequential(source) and page.links:
            more.append(template_url(source, first_url, number + 1))
        return more

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
        skips its offsite filter: check the source's domains here instead (redirects are checked by
        ``crawlers.middlewares.OffsiteRedirectMiddleware``)."""
        if in_domains(url, self.allowed_domains):
            return False
        self.crawler.stats.inc_value("policywatch/offsite_skipped")
        self.logger.info("offsite link not followed: %s", url)
        return True

    def _list_request(self, url: str) -> scrapy.Request | None:
        if url in self._list_seen or self._offsite(url):
            return None
        max_pages = 0 if self.backfill else self.source.pagination.max_pages
        if max_pages and len(self._list_seen) >= max_pages:
            return None  # by design: this source is read only for its newest documents
        if len(self._list_seen) >= self.page_cap:
            # The cap, not the source's own rule, stopped pagination: visible in stats and outcome.
            if not self._capped:
                self.logger.warning(
                    "page cap %d reached for %s: list pages beyond it not read", self.page_cap, self.source.id
                )
                self.crawler.stats.set_value("policywatch/page_cap_reached", True)
                self.crawler.stats.set_value("policywatch/page_cap", self.page_cap)
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
            page = self.read_list_page(self.source, response.url, response.text)
        except ValueError as exc:
            self._list_failed = True
            self._fail("list", response.url, str(exc))
            yield from self._after_lists()
            return
        if not page.links:
            self.crawler.stats.inc_value("policywatch/empty_list_pages")
            self.crawler.stats.max_value(TITLE_ANCHORS_STAT, title_anchors(response))
            if response.meta.get("pw_first") is None:
                self._fail("list", response.url, "no document links found (do the [links] selectors still match?)")
        new_links = 0
        for link in page.links:
            if link.url in self.links or self._offsite(link.url):
                continue
            self.links[link.url] = link
            new_links += 1
            self.crawler.stats.inc_value(LIST_LINKS_STAT)
            yield self._detail_request(link)
        first = response.meta.get("pw_first", response.url)
        number = int(response.meta.get("pw_page_number", 1))
        more = self.next_list_urls(self.source, first, page, number, self.page_cap)
        if is_sequential(self.source) and not new_links:
            # Reading until a page brings nothing new: a page repeating known links is the end.
            sequential_next = template_url(self.source, first, number + 1)
            more = [url for url in more if url != sequential_next]
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
        """Once all lists are read, probe for removals (404/410 → gone).

        Complete source: every known page the lists no longer show. Newest-pages-only source: the
        pages that left the window since the last crawl, a bounded number, oldest first."""
        if self._lists_outstanding or self._probed:
            return
        if self.window is not None:
            self._probed = True
            yield from self._window_probes()
            return
        if not self.lists_complete():
            return
        self._probed = True
        for url in sorted(self.known_urls - set(self.links)):
            yield self._probe(url)

    def _probe(self, url: str, window: bool = False) -> scrapy.Request:
        self.crawler.stats.inc_value("policywatch/probes")
        return scrapy.Request(
            url, callback=self.parse_detail, errback=self.detail_failed,
            meta={"pw_kind": "probe", "pw_probe_url": url, "pw_window": window,
                  "handle_httpstatus_list": list(GONE_STATUSES)},
        )

    # --- removals on a newest-pages-only source --------------------------------------------------

    def _window_probes(self) -> Iterator[scrapy.Request]:
        assert self.window is not None
        stats = self.crawler.stats
        clean = self._lists_read > 0 and not self._list_failed and bool(self.links)
        if clean:  # a window seen only in part would make its unseen pages look "departed"
            left = self.window.observe(set(self.links), _now())
            stats.set_value("policywatch/window_departed", len(left))
        for url in self.window.due(self.window_probes):
            stats.inc_value("policywatch/window_probes")
            yield self._probe(url, window=True)

    def _window_item_delivered(self, item: Any) -> None:
        """A PageGone the broker acknowledged: that URL is settled (a departed one leaves the queue;
        a listed one must not "depart" next crawl and be reported twice)."""
        if isinstance(item, GoneItem) and self.window is not None:
            self._gone_delivered.add(item.url)

    def _save_window(self, spider: scrapy.Spider) -> None:
        if self.window is None or spider is not self:
            return
        for url in self._gone_delivered:
            self.window.resolve(url)
            self.window.window.discard(url)
        self.crawler.stats.set_value("policywatch/window_backlog", len(self.window.departed))
        book = CrawlBook.of(self.crawler)
        if book is not None:
            book.report.window = self.window.snapshot()
            book.save()

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
        if kind == "probe":  # alive (200 or 304): not removed, nothing to publish
            self.crawler.stats.inc_value("policywatch/unlisted_but_alive")
            if response.meta.get("pw_window") and self.window is not None:
                self.window.resolve(str(response.meta["pw_probe_url"]))
            return
        if UNCHANGED_FLAG in response.flags:
            self.crawler.stats.inc_value("policywatch/unchanged")
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
            body_sha256=str(response.meta.get(BODY_SHA_META) or hashlib.sha256(response.body).hexdigest()),
            list_title=link.title,
            list_date=link.date,
            region_hint=self.source.region,
            detail_hints=self.source.detail_hints(),
            warc_record=response.meta.get("pw_warc_record", ""),
            validators=validators_of(response),
        )
        pending = self._attachment_links(response, link)
        yield from self._next_attachment(item, pending)

    def detail_failed(self, failure: Failure) -> None:
        meta = failure.request.meta
        if meta.get("pw_window") and self.window is not None:
            self.window.requeue(str(meta["pw_probe_url"]), _now())
        self._fail(str(meta.get("pw_kind", "detail")), failure.request.url, _describe(failure))

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

    async def parse_attachment(self, response: Response) -> AsyncIterator[Any]:
        """Extract the text in a child process (``crawlers.attachments``), waited for on a thread so
        the crawl's other downloads go on; the document's text budget shrinks with each attachment."""
        item: PageItem = response.meta["pw_item"]
        url = str(response.meta.get("pw_state_key", response.url))
        kept = sum(len(a.get("text", "")) for a in item.attachments)
        limits = replace(self.extraction_limits, max_chars=max(0, self.extraction_limits.max_chars - kept))
        record = await maybe_deferred_to_future(
            threads.deferToThread(extract_attachment, url, response.meta["pw_name"], response.body, limits)
        )
        record["warc_record"] = response.meta.get("pw_warc_record", "")
        if record["status"] != "extracted":
            self.crawler.stats.inc_value("policywatch/attachment_text_failures")
        for cap in filter(None, record.get("caps", "").split(",")):
            self.crawler.stats.inc_value(f"policywatch/caps/{cap}")
            self.logger.warning("cap %s hit on attachment %s of %s", cap, url, item.url)
        item.attachments.append(record)
        self.crawler.stats.inc_value("policywatch/attachments")
        for output in self._next_attachment(item, response.meta["pw_pending"]):
            yield output

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


def spider_class(source: SourceDefinition) -> type[GenericSpider]:
    """The spider class of one source: named after its id, derived from GenericSpider or from the
    class in the definition's ``spider`` (which must extend GenericSpider)."""
    base = _spider_base(source.spider) if source.spider else GenericSpider
    class_name = "".join(part.capitalize() for part in source.id.replace("_", "-").split("-")) + "Spider"
    return type(class_name, (base,), {"name": source.id, "source_id": source.id, "__module__": base.__module__})


def _spider_base(reference: str) -> type[GenericSpider]:
    """The ``spider = "module:Class"`` of a definition: must extend GenericSpider."""
    module_name, _, class_name = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SourceError(f"spider {reference!r} cannot be imported: {exc}") from exc
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, GenericSpider)):
        raise SourceError(f"spider {reference!r} is not a GenericSpider subclass")
    return cls


def _describe(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"
