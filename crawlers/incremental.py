"""Incremental recrawl: conditional GETs plus a content hash, so only what changed is published.

Per source, a small state folder remembers, for every URL fetched, its validators (ETag,
Last-Modified), the sha256 of the body and the body itself. On the next crawl each request
carries ``If-None-Match`` / ``If-Modified-Since``; a 304 is answered from the stored body and
flagged ``pw_unchanged``; a 200 whose body hash equals the stored one (servers without
validators) is flagged the same way. The spider parses unchanged list pages as usual (their links
form the inventory) and publishes nothing for unchanged detail pages.

A detail page's new state is committed only when its item was delivered (``item_scraped`` fires
after the bus pipeline got the broker's ack). If a publish fails or the crawl dies, the page is
fetched and published again next time: at-least-once, never silently lost.

Why not Scrapy's HTTP cache: it cannot tell the spider that a response was revalidated, serves
Last-Modified-only pages from cache without asking (NOTES.md), and commits on download, not delivery.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes

from crawlers.config import CrawlConfig
from crawlers.items import GoneItem, PageItem

log = logging.getLogger(__name__)

UNCHANGED_FLAG = "pw_unchanged"


@dataclass(frozen=True)
class Entry:
    """What we know about one URL after a delivered (or list) fetch."""

    sha256: str
    kind: str
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""


class CrawlState:
    """The state folder of one source: ``index.json`` plus bodies by hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._committed: dict[str, Entry] = {}
        self._pending: dict[str, Entry] = {}

    @classmethod
    def load(cls, state_dir: Path | str, source_id: str) -> CrawlState:
        state = cls(Path(state_dir) / source_id)
        index = state.folder / "index.json"
        if index.exists():
            try:
                raw = json.loads(index.read_text("utf-8"))
                state._committed = {url: Entry(**entry) for url, entry in raw.get("entries", {}).items()}
            except (ValueError, TypeError) as exc:
                log.warning("crawl state %s unreadable (%s): starting a full crawl", index, exc)
        return state

    def get(self, url: str) -> Entry | None:
        return self._committed.get(url)

    def known_detail_urls(self) -> set[str]:
        return {url for url, entry in self._committed.items() if entry.kind == "detail"}

    def body(self, entry: Entry) -> bytes | None:
        path = self.folder / "bodies" / entry.sha256
        try:
            return path.read_bytes()
        except OSError:
            return None

    def store_body(self, sha256: str, body: bytes) -> None:
        path = self.folder / "bodies" / sha256
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)

    def stage(self, url: str, entry: Entry) -> None:
        """Remember a fetch that counts only once delivered."""
        self._pending[url] = entry

    def commit(self, url: str, entry: Entry | None = None) -> None:
        entry = entry or self._pending.pop(url, None)
        if entry is not None:
            self._committed[url] = entry

    def forget(self, url: str) -> None:
        self._committed.pop(url, None)
        self._pending.pop(url, None)

    def save(self) -> None:
        """Write the index atomically and drop bodies no entry refers to."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"entries": {url: asdict(entry) for url, entry in sorted(self._committed.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".index-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=0)
        os.replace(tmp, self.folder / "index.json")
        referenced = {entry.sha256 for entry in self._committed.values()}
        bodies = self.folder / "bodies"
        if bodies.is_dir():
            for path in bodies.iterdir():
                if path.name not in referenced:
                    path.unlink(missing_ok=True)


class ConditionalGetMiddleware:
    """Downloader middleware implementing the recrawl described in the module docstring."""

    def __init__(self, state_dir: Path, stats: Any) -> None:
        self.state_dir = state_dir
        self.stats = stats
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        state_dir = CrawlConfig.of(crawler).state_dir
        if state_dir is None:
            log.info("incremental recrawl off: no state folder (a crawl not started by policywatch)")
            raise NotConfigured("no state folder")
        middleware = cls(state_dir, crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        self.state = CrawlState.load(self.state_dir, spider.source.id)

    def spider_closed(self, spider: Any) -> None:
        if self.state is not None:
            self.state.save()

    def item_scraped(self, item: Any) -> None:
        """The item passed every pipeline (for the bus: the broker acked): its fetch now counts."""
        if self.state is None:
            return
        if isinstance(item, PageItem):
            self.state.commit(item.url)
            for attachment in item.attachments:
                self.state.commit(attachment.get("url", ""))
        elif isinstance(item, GoneItem):
            self.state.forget(item.url)

    @staticmethod
    def _key(request: Request) -> str:
        """State is kept under the URL first requested (the listed URL), across redirects."""
        return str(request.meta.setdefault("pw_state_key", request.url))

    def process_request(self, request: Request) -> None:
        if self.state is None or "pw_kind" not in request.meta:
            return
        entry = self.state.get(self._key(request))
        if entry is None or self.state.body(entry) is None:
            return
        if entry.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = entry.etag
        if entry.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = entry.last_modified

    def process_response(self, request: Request, response: Response) -> Response:
        if self.state is None or "pw_kind" not in request.meta:
            return response
        kind = str(request.meta["pw_kind"])
        key = self._key(request)
        entry = self.state.get(key)
        if response.status == 304 and entry is not None:
            body = self.state.body(entry)
            if body is not None:
                self.stats.inc_value("policywatch/not_modified")
                headers = Headers({"Content-Type": entry.content_type} if entry.content_type else {})
                cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
                return cls(
                    url=response.url,
                    status=200,
                    headers=headers,
                    body=body,
                    request=request,
                    flags=[*response.flags, UNCHANGED_FLAG],
                )
        if response.status != 200:
            return response
        sha256 = hashlib.sha256(response.body).hexdigest()
        new = Entry(
            sha256=sha256,
            kind="detail" if kind == "probe" else kind,
            etag=response.headers.get(b"ETag", b"").decode("latin-1"),
            last_modified=response.headers.get(b"Last-Modified", b"").decode("latin-1"),
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
        )
        self.state.store_body(sha256, response.body)
        if entry is not None and entry.sha256 == sha256:
            # Same content: new validators are safe to keep at once; nothing to deliver.
            self.stats.inc_value("policywatch/unchanged_by_hash")
            self.state.commit(key, new)
            return response.replace(flags=[*response.flags, UNCHANGED_FLAG])
        if kind == "list":
            self.state.commit(key, new)
        else:
            self.state.stage(key, new)
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

    FILE = "window.json"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.window: set[str] = set()
        self.departed: dict[str, str] = {}  # URL -> when it left the window (ISO time)

    @classmethod
    def load(cls, state_dir: Path | str, source_id: str) -> WindowState:
        state = cls(Path(state_dir) / source_id)
        path = state.folder / cls.FILE
        if path.exists():
            try:
                raw = json.loads(path.read_text("utf-8"))
                state.window = set(raw.get("window", []))
                state.departed = {str(url): str(since) for url, since in raw.get("departed", {}).items()}
            except (ValueError, TypeError, AttributeError) as exc:
                log.warning("window state %s unreadable (%s): starting afresh", path, exc)
        return state

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

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"window": sorted(self.window), "departed": dict(sorted(self.departed.items()))}
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".window-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=0)
        os.replace(tmp, self.folder / self.FILE)
