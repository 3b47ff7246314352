"""The downloader middleware that refuses WAF/captcha pages (the rules are ``crawlers.health``)."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawlers.health import BLOCKED_SIGN_STAT, BLOCKED_STAT, block_sign


class BlockPageMiddleware:
    """Refuses WAF/captcha pages (any status) as failed downloads, counting them in the crawl's stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockPageMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        if request.meta.get("pw_kind") == "attachment":
            return response
        sign = block_sign(response.text)
        if sign is None:
            return response
        self.stats.inc_value(BLOCKED_STAT)
        self.stats.set_value(BLOCKED_SIGN_STAT, sign)
        raise IgnoreRequest(f"a WAF/captcha page answered (HTTP {response.status}, {sign!r}), not the content")
