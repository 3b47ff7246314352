"""Downloader middlewares: decoding every text response right, and retry with backoff."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task

from crawlers.encoding import sniff_encoding

log = logging.getLogger(__name__)


class EncodingMiddleware:
    """Re-decode text responses by their bytes (see ``crawlers.encoding``), whatever the header says."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        encoding = sniff_encoding(response.body, content_type)
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
        middleware = cls(
            crawler.settings,
            crawler.settings.getfloat("POLICYWATCH_RETRY_BACKOFF_BASE", 1.0),
            crawler.settings.getfloat("POLICYWATCH_RETRY_BACKOFF_MAX", 30.0),
        )
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
