"""Archival capture: every response, with its request, written to gzipped WARC files (warcio).

The middleware sits closest to the network (before decompression), so the record holds the bytes
as served. Files are written locally and rotate when they pass ``crawl.warc_max_bytes``; each closed
file is handed to the capture store (``core.captures``: it stays in the local folder, or goes to
S3-compatible object storage). The reference of each response record — ``<file name>#<WARC-Record-ID>``
locally, ``s3://bucket/key#<WARC-Record-ID>`` in object storage — is put in
``request.meta["pw_warc_record"]`` and travels in ``PageFetched.warc_record``, so a stored version links
to exactly what was served, readable from any node (``crawlers.warc_reader``, which needs no Scrapy).
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.captures import (
    CaptureStore,
    LocalCaptureStore,
    capture_store,
)
from core.errors import CaptureStorageUnavailable
from crawlers.config import CrawlConfig

log = logging.getLogger(__name__)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


class RotatingWarcWriter:
    """Writes request/response record pairs; starts a new file once the current one is too big, and
    calls ``on_closed(path)`` for each file it closes."""

    def __init__(self, folder: Path, prefix: str, max_bytes: int, on_new_file: Any = None,
                 on_closed: Any = None, reference: Any = None) -> None:
        self.folder = folder
        self.on_new_file = on_new_file
        self.on_closed = on_closed
        self._reference = reference or (lambda name, record_id: f"{name}#{record_id}")
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._handle: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._name = ""
        self._sequence = 0
        self.files: list[Path] = []

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sequence += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        self._name = f"{self.prefix}-{stamp}-{self._sequence:05d}.warc.gz"
        path = self.folder / self._name
        self._handle = path.open("wb")
        self._writer = WARCWriter(self._handle, gzip=True)
        self.files.append(path)
        if self.on_new_file is not None:
            self.on_new_file(self.files)

    def write(self, request: Request, response: Response) -> str:
        """Write the pair; returns the reference of the response record (``<file name>#<record id>``
        unless the store names files otherwise)."""
        if self._handle is None:
            self._open()
        assert self._writer is not None and self._handle is not None
        url = response.url
        status_line = f"{response.status} {_reason(response.status)}"
        http_headers = StatusAndHeaders(status_line, _header_pairs(response.headers), protocol="HTTP/1.1")
        response_record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(response.body), http_headers=http_headers
        )
        path_and_query = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        request_headers = StatusAndHeaders(
            f"{request.method} /{path_and_query}", _header_pairs(request.headers), protocol="HTTP/1.1", is_http_request=True
        )
        request_record = self._writer.create_warc_record(
            request.url, "request", payload=io.BytesIO(request.body or b""), http_headers=request_headers
        )
        record_id = response_record.rec_headers.get_header("WARC-Record-ID")
        request_record.rec_headers.add_header("WARC-Concurrent-To", record_id)
        self._writer.write_record(response_record)
        self._writer.write_record(request_record)
        self._handle.flush()
        reference = self._reference(self._name, record_id)
        if self._handle.tell() >= self.max_bytes:
            self.close()
        return str(reference)

    def close(self) -> None:
        handle, self._handle, self._writer = self._handle, None, None
        if handle is not None:
            handle.close()
            if self.on_closed is not None:
                self.on_closed(self.folder / self._name)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcCaptureMiddleware:
    """Downloader middleware writing each response (and its request) to WARC, handing closed files to
    the capture store."""

    def __init__(self, store: CaptureStore, max_bytes: int, stats: Any) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.stats = stats
        self.writer: RotatingWarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        config = CrawlConfig.of(crawler)
        if config.captures is None or not config.crawl.capture_warc:
            log.info("WARC capture off (crawl.capture_warc, or a crawl not started by policywatch)")
            raise NotConfigured("no WARC folder")
        store = capture_store(config.captures)
        log.info("WARC captures go to %s", store.describe())
        middleware = cls(store, config.crawl.warc_max_bytes, crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        source = getattr(getattr(spider, "source", None), "id", spider.name)
        prefix = f"pw-{source}"
        # One crawl of a source at a time: files of this source still here were left by a crawl that
        # could not hand them over (storage down, process killed). The local store keeps them as they are.
        for leftover in sorted(self.store.folder.glob(f"{prefix}-*.warc.gz")):
            self._hand_over(leftover, leftover=True)
        self.writer = RotatingWarcWriter(
            self.store.folder,
            prefix,
            self.max_bytes,
            on_new_file=lambda files: self.stats.set_value("policywatch/warc_files", [p.name for p in files]),
            on_closed=self._hand_over,
            reference=self.store.reference,
        )

    def _hand_over(self, path: Path, leftover: bool = False) -> None:
        if isinstance(self.store, LocalCaptureStore):
            return
        try:
            self.store.hand_over(path)
        except CaptureStorageUnavailable as exc:
            # The pages stay published; their captures are readable once a later crawl hands the file over.
            self.stats.inc_value("policywatch/warc_errors")
            log.error("WARC file %s kept locally for a later crawl to hand over: %s", path.name, exc)
            return
        self.stats.inc_value("policywatch/warc_leftovers_stored" if leftover else "policywatch/warc_files_stored")

    def spider_closed(self, spider: Any) -> None:
        if self.writer is not None:
            self.writer.close()

    def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None:
            return response
        try:
            request.meta["pw_warc_record"] = self.writer.write(request, response)
        except OSError as exc:
            # Losing the archive copy must be visible, but must not lose the page itself.
            self.stats.inc_value("policywatch/warc_errors")
            log.error("cannot write WARC record for %s: %s", response.url, exc)
            return response
        self.stats.inc_value("policywatch/warc_records")
        return response
