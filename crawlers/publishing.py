"""Publishing what the spider finds: the Scrapy item pipeline that sends each item to the bus, and counts
a page done only once the broker acknowledged it.

``PageItem`` → ``PageFetched``, ``GoneItem`` → ``PageGone``; at the end of a crawl whose lists were
all read, ``SourceCrawled`` with the complete inventory. A failed publish is never papered over:
the item errors (Scrapy logs it; the page has no committed state, so the next crawl fetches it again), the spider is closed with reason ``bus_unavailable``, and the crawl reports failure.
"""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import threads

from core.bus import BusConfig, EventProducer
from core.errors import BusUnavailable
from core.events import ListEntry, PageFetched, PageGone, PageValidators, Payload, SourceCrawled
from core.tracing import new_trace_id
from crawlers.config import CrawlConfig
from crawlers.items import GoneItem, PageItem

log = logging.getLogger(__name__)

CLOSE_REASON_BUS = "bus_unavailable"


def to_event(item: Any) -> Payload:
    """The bus event for a spider item."""
    if isinstance(item, PageItem):
        return PageFetched(
            source_id=item.source_id,
            url=item.url,
            final_url=item.final_url,
            status=item.status,
            fetched_at=datetime.fromisoformat(item.fetched_at),
            encoding=item.encoding,
            html=item.html,
            body_sha256=item.body_sha256,
            list_entry=ListEntry(title=item.list_title, date=item.list_date),
            region_hint=item.region_hint,
            detail_hints=item.detail_hints,
            attachments=item.attachments,
            warc_record=item.warc_record,
            validators=PageValidators(**item.validators),
        )
    if isinstance(item, GoneItem):
        return PageGone(
            source_id=item.source_id,
            url=item.url,
            status=item.status,
            reason=item.reason,
            observed_at=datetime.fromisoformat(item.observed_at),
        )
    raise TypeError(f"unexpected item type {type(item).__name__}")


class PublishingPipeline:
    """Publishes items as events on the bus of the crawl's ``CrawlConfig``."""

    crawler: Crawler

    def __init__(self, bus: BusConfig) -> None:
        self.config = bus
        self.connect_timeout_s = 3.0
        self.producer: EventProducer | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublishingPipeline:
        bus = CrawlConfig.of(crawler).bus
        if bus is None:
            log.warning(
                "publishing disabled: this crawl has no bus configuration (it was not started by policywatch); "
                "items are not published (use -o items.jl to keep them)"
            )
            raise NotConfigured("no bus configured")
        pipeline = cls(bus)
        pipeline.crawler = crawler  # for stats and for closing the crawl on a failed publish
        return pipeline

    def _source_name(self) -> str:
        spider = self.crawler.spider
        return f"crawler/{getattr(getattr(spider, 'source', None), 'id', 'unknown')}"

    def _reachable(self) -> bool:
        """A quick TCP check: kafka-python takes ~30 s to give up on a dead bootstrap server."""
        for server in self.config.bootstrap_servers:
            host, _, port = server.rpartition(":")
            try:
                with socket.create_connection((host, int(port)), timeout=self.connect_timeout_s):
                    return True
            except (OSError, ValueError):
                continue
        return False

    def open_spider(self) -> None:
        if not self._reachable():
            self._on_failure(f"no broker answers at {','.join(self.config.bootstrap_servers)}")
            return
        try:
            self.producer = EventProducer(self.config, source=self._source_name())
        except BusUnavailable as exc:
            self._on_failure(str(exc))
            return
        log.info("publishing to %s (topic prefix %r)", ",".join(self.config.bootstrap_servers), self.config.topic_prefix)

    def _on_failure(self, why: str) -> None:
        self.crawler.stats.inc_value("policywatch/publish_failed")
        if not self.failed:
            self.failed = True
            self.crawler.stats.set_value("policywatch/bus_error", why)
            log.error("publish failed (%s): closing the crawl as %s", why, CLOSE_REASON_BUS)
            if self.crawler.engine is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON_BUS))

    async def process_item(self, item: Any) -> Any:
        if self.producer is None or self.failed:
            raise BusUnavailable("bus pipeline is not connected; item not delivered")
        event = to_event(item)
        trace_id = new_trace_id()  # born here, at fetch; followed to delivery in the pw-trace-id header
        try:
            await maybe_deferred_to_future(threads.deferToThread(self.producer.publish, event, trace_id))
        except BusUnavailable as exc:
            self._on_failure(str(exc))
            raise
        log.debug("published %s %s trace=%s", event.EVENT_TYPE, getattr(event, "url", ""), trace_id)
        kind = "pages_published" if isinstance(item, PageItem) else "gone_published"
        self.crawler.stats.inc_value(f"policywatch/{kind}")
        return item

    def close_spider(self) -> None:
        spider = self.crawler.spider
        try:
            if self.producer is None or self.failed or spider is None:
                return
            complete, urls = spider.inventory()
            if not complete:
                if spider.source.pagination.complete:
                    log.warning("lists of %s not fully read: no inventory published", spider.source.id)
                else:
                    log.info("%s shows only its newest pages: no inventory, by design", spider.source.id)
                return
            event = SourceCrawled(
                source_id=spider.source.id,
                crawl_id=uuid.uuid4().hex,
                finished_at=datetime.now(UTC),
                complete=True,
                seen_urls=urls,
            )
            try:
                self.producer.publish(event)
            except BusUnavailable as exc:
                self.crawler.stats.inc_value("policywatch/publish_failed")
                self.crawler.stats.set_value("policywatch/inventory_error", str(exc))
                log.error("inventory of %s not delivered: %s", spider.source.id, exc)
                return
            self.crawler.stats.set_value("policywatch/inventory_published", len(urls))
        finally:
            self._close_producer()

    def _close_producer(self) -> None:
        """Close cleanly when the bus works; after a failure a graceful close only waits out a
        timeout for records that were already reported undelivered (the crawl process exits next)."""
        producer, self.producer = self.producer, None
        if producer is None or self.failed:
            return
        try:
            producer.close()
        except Exception as exc:  # a failing close must not hide the crawl's outcome
            log.warning("closing the producer failed: %s", exc)
