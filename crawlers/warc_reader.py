"""Reading a captured response back from its WARC file, wherever the capture store put it.

Apart from the capture middleware (``crawlers.warc``) so that readers — the web application's replay and
export, the CLI — do not import Scrapy and Twisted (about 45 MB of a long-running process's memory).
"""

from __future__ import annotations

from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator

from core.captures import CaptureConfig, open_capture, split_reference


@dataclass(frozen=True)
class CapturedResponse:
    """One response as it was served, read back from the archive."""

    url: str
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes


def read_captured(captures: CaptureConfig, reference: str) -> CapturedResponse:
    """Find ``<location>#<record id>`` (as stored with each document version) and return the response,
    from the local folder or from object storage, whichever the reference names.

    Raises LookupError when the file or the record is not there, CaptureStorageUnavailable when the
    object storage does not answer.
    """
    location, record_id = split_reference(reference)
    with open_capture(captures, location) as stream:
        for record in ArchiveIterator(stream):
            if record.rec_headers.get_header("WARC-Record-ID") != record_id:
                continue
            http = record.http_headers
            return CapturedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                status_line=http.statusline if http else "",
                headers=list(http.headers) if http else [],
                body=record.content_stream().read(),
            )
    raise LookupError(f"record {record_id} not found in {location}")
