"""Downloader middlewares: decoding every text response right, retry with backoff, and
refusing redirects that leave the source's domains."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task

from crawlers.config import CrawlConfig
from crawlers.layouts import in_domains
from zhtext.decoding import sniff_encoding

log = logging.getLogger(__name__)

REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class EncodingMiddleware:
    """Re-decode text responses by their bytes (see ``zhtext.decoding``), whatever the header says;
    the source's ``[encoding] declared`` and ``fallback`` hints are passed to the decoder."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler)

    def _hints(self) -> tuple[str, str]:
        source = getattr(self.crawler.spider, "source", None)
        if source is None:
            return "", ""
        return source.encoding.declared, source.encoding.fallback

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared, fallback = self._hints()
        encoding = sniff_encoding(response.body, content_type, declared=declared, fallback=fallback)
        if encoding != response.encoding:
            self.stats.inc_value(f"policywatch/encoding_corrected/{encoding}")
            return response.replace(encoding=encoding)
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting ``base * 2**attempt`` seconds (capped) before each retry is queued."""

    def __init__(self, settings: Any, base_delay: float, max_delay: float) -> None:
        super().__init__(settings)
        self.base_delay = base_delay
        self.max_delay = max_delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        crawl = CrawlConfig.of(crawler).crawl
        middleware = cls(crawler.settings, crawl.retry_backoff_base_seconds, crawl.retry_backoff_max_seconds)
        middleware.crawler = crawler
        return middleware

    async def _wait(self, request: Request) -> None:
        attempt = int(request.meta.get("retry_times", 1))
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        if delay > 0:
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result


class OffsiteRedirectMiddleware:
    """Refuse redirects to hosts outside the source's ``allowed_domains``, for every request.

    List and attachment requests skip Scrapy's offsite filter (``dont_filter``, which they need to
    bypass the dupefilter), so without this a redirect on one of them to another site would be
    followed. Placed above RedirectMiddleware, ``process_response`` sees the 3xx before a redirected
    request exists and raises ``IgnoreRequest``: the request's errback records the failure for the
    source. ``RedirectedRequestMiddleware`` catches what other redirects (meta refresh) produce.

    It also refuses a redirect back to a URL of the request's own redirect chain (a loop): Scrapy's
    dupefilter would otherwise drop the repeated request silently, and the document would be neither
    fetched nor reported — the crawl would end ``ok``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def _refuse(self, origin: str, target: str) -> None:
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        if in_domains(target, domains):
            return
        self.crawler.stats.inc_value("policywatch/offsite_redirects")
        host = urlsplit(target).hostname or "?"
        raise IgnoreRequest(f"redirect to {host} refused: outside the source's domains ({origin} -> {target})")

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status in REDIRECT_STATUSES and location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            self._refuse(request.url, target)
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                self.crawler.stats.inc_value("policywatch/redirect_loops")
                raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, target])}")
        return response


class RedirectedRequestMiddleware(OffsiteRedirectMiddleware):
    """The request side of the same rule: a redirected request (e.g. from a meta refresh) to another
    host is refused before robots.txt or the network are asked (placed below Scrapy's offsite, 50)."""

    def process_request(self, request: Request) -> None:
        chain = request.meta.get("redirect_urls")
        if chain:
            self._refuse(str(chain[0]), request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        return response
