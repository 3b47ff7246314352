"""Archival capture: every response, with its request, written to gzipped WARC files (warcio).

The middleware sits closest to the network (before decompression), so the record holds the bytes
as served. Files rotate when they pass ``crawl.warc_max_bytes``. The id of each response
record is put in ``request.meta["pw_warc_record"]`` as ``<file name>#<WARC-Record-ID>`` and
travels in ``PageFetched.warc_record``, so a stored version links to exactly what was served.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.config import CrawlConfig

log = logging.getLogger(__name__)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


class RotatingWarcWriter:
    """Writes request/response record pairs; starts a new file once the current one is too big."""

    def __init__(self, folder: Path, prefix: str, max_bytes: int, on_new_file: Any = None) -> None:
        self.folder = folder
        self.on_new_file = on_new_file
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
        """Write the pair; returns ``<file name>#<response record id>``."""
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
        name = self._name
        if self._handle.tell() >= self.max_bytes:
            self.close()
        return f"{name}#{record_id}"

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._writer = None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcCaptureMiddleware:
    """Downloader middleware writing each response (and its request) to WARC."""

    def __init__(self, folder: Path, max_bytes: int, stats: Any) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.stats = stats
        self.writer: RotatingWarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        config = CrawlConfig.of(crawler)
        if config.warc_dir is None or not config.crawl.capture_warc:
            log.info("WARC capture off (crawl.capture_warc, or a crawl not started by policywatch)")
            raise NotConfigured("no WARC folder")
        middleware = cls(config.warc_dir, config.crawl.warc_max_bytes, crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        source = getattr(getattr(spider, "source", None), "id", spider.name)
        self.writer = RotatingWarcWriter(
            self.folder,
            f"pw-{source}",
            self.max_bytes,
            on_new_file=lambda files: self.stats.set_value("policywatch/warc_files", [p.name for p in files]),
        )

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


@dataclass(frozen=True)
class CapturedResponse:
    """One response as it was served, read back from the archive."""

    url: str
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes


def read_captured(warc_dir: Path, reference: str) -> CapturedResponse:
    """Find ``<file>#<record id>`` (as stored with each document version) and return the response.

    Raises LookupError when the file or the record is not in ``warc_dir``.
    """
    name, _, record_id = reference.partition("#")
    path = warc_dir / name
    if not name or not record_id or not path.is_file():
        raise LookupError(f"no WARC file {name!r} in {warc_dir}")
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_headers.get_header("WARC-Record-ID") != record_id:
                continue
            http = record.http_headers
            return CapturedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                status_line=http.statusline if http else "",
                headers=list(http.headers) if http else [],
                body=record.content_stream().read(),
            )
    raise LookupError(f"record {record_id} not found in {path}")
