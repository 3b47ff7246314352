"""Extensions: a JSON dump of the crawl's stats at close, read by the daemon's crawl runner."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawlers.config import CrawlConfig

log = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class StatsDump:
    """Write the crawl config's ``stats_file`` atomically when the spider closes."""

    def __init__(self, stats: Any, path: Path) -> None:
        self.stats = stats
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsDump:
        path = CrawlConfig.of(crawler).stats_file
        if path is None:
            raise NotConfigured("no stats file")
        extension = cls(crawler.stats, path)
        # spider_closed fires after the pipelines closed, so their final stats are in.
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Any, reason: str) -> None:
        complete, urls = spider.inventory() if hasattr(spider, "inventory") else (False, [])
        data = {
            "source_id": getattr(getattr(spider, "source", None), "id", spider.name),
            "reason": reason,
            "lists_complete": complete,
            "detail_urls_listed": len(urls),
            "stats": _jsonable(self.stats.get_stats()),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".stats-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)
