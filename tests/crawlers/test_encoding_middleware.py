"""The crawler's encoding middleware hands each source's [encoding] hints to the one decoder."""

from __future__ import annotations

BIG5_TEXT = "臺北市政府關於推動人工智慧產業發展計畫之公告"


def test_encoding_middleware_applies_the_source_hints():
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawlers.catalog import EncodingHints
    from crawlers.middlewares import EncodingMiddleware

    body = f"<html><body><p>{BIG5_TEXT}</p></body></html>".encode("big5")
    source = SimpleNamespace(encoding=EncodingHints(fallback="big5"))
    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings()))  # type: ignore[arg-type]
    crawler = SimpleNamespace(stats=stats, spider=SimpleNamespace(source=source))
    middleware = EncodingMiddleware(crawler)  # type: ignore[arg-type]
    url = "http://127.0.0.1/x.html"
    response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}, request=Request(url))
    decoded = middleware.process_response(response.request, response)
    assert BIG5_TEXT in decoded.text
    assert stats.get_value("policywatch/encoding_corrected/big5") == 1
