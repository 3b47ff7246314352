"""Text of attachments (附件): PDF via pypdf, DOCX via python-docx; other kinds are recorded by link.

Every record is a flat ``dict[str, str]`` (it travels in ``PageFetched.attachments``):
url, name, kind, status ("extracted", "recorded" or "failed: …"), sha256, bytes, text and caps.

Hostile files get bounded work: the text is extracted in a child process (``crawlers.extract_worker``)
with an address-space limit and a timeout — a parser stuck in C code cannot be interrupted in-thread —
and caps on decompressed size (DOCX members checked before parsing, every PDF stream), PDF pages and
the text kept. Each cap hit is named in the record; the spider counts them per source.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from core.settings import CrawlSettings

log = logging.getLogger(__name__)

KNOWN_KINDS = ("pdf", "docx", "doc", "wps", "ofd", "xls", "xlsx", "zip", "rar")
EXTRACTED_KINDS = ("pdf", "docx")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def kind_of(url: str) -> str | None:
    """Attachment kind from the URL's extension; None when it is not a document file."""
    path = urlsplit(url).path.lower()
    for kind in KNOWN_KINDS:
        if path.endswith("." + kind):
            return kind
    return None


def find_attachment_links(selector: Selector, base_url: str, css: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every attachment link ``css`` selects, in page order, once each."""
    found: dict[str, str] = {}
    if not css:
        return []
    for anchor in selector.css(css):
        href = (anchor.attrib.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#", "mailto:")):
            name = " ".join(" ".join(anchor.css("::text").getall()).split()) or anchor.attrib.get("title", "")
            found.setdefault(urljoin(base_url, href), name)
    return list(found.items())


@dataclass(frozen=True)
class ExtractionLimits:
    """The bounds of extracting one attachment's text (``crawl.attachment_*`` settings)."""

    max_decompressed_bytes: int = 64 * 1024 * 1024
    max_pdf_pages: int = 300
    timeout_s: float = 30.0
    memory_mb: int = 1024
    max_chars: int = 500_000

    @classmethod
    def from_settings(cls, crawl: CrawlSettings) -> ExtractionLimits:
        return cls(
            crawl.attachment_max_decompressed_bytes, crawl.attachment_max_pdf_pages,
            crawl.attachment_timeout_seconds, crawl.attachment_memory_mb, crawl.max_document_text_chars,
        )


def _extract_isolated(kind: str, body: bytes, limits: ExtractionLimits) -> dict[str, Any]:
    """Run ``crawlers.extract_worker`` on ``body``: a parser stuck in C code or eating memory is
    stopped by the child's address-space limit or killed at the timeout, never the crawl."""
    arguments = {
        "max_decompressed_bytes": limits.max_decompressed_bytes, "max_pdf_pages": limits.max_pdf_pages,
        "memory_mb": limits.memory_mb, "max_chars": limits.max_chars,
    }
    command = [sys.executable, "-m", "crawlers.extract_worker", kind, json.dumps(arguments)]
    try:
        done = subprocess.run(
            command, input=body, capture_output=True, timeout=limits.timeout_s, cwd=PROJECT_ROOT,
            env={"PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired:
        return {"text": "", "caps": ["time"], "error": f"cap: extraction took longer than {limits.timeout_s:g} s"}
    try:
        return dict(json.loads(done.stdout.decode("utf-8")))
    except ValueError:
        # Killed by the kernel or out of memory before it could answer.
        tail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        memory = "MemoryError" in tail[0] or done.returncode < 0
        return {"text": "", "caps": ["memory"] if memory else [], "error": f"extraction failed: {tail[0][:300]}"}


def extract_attachment(
    url: str, name: str, body: bytes, limits: ExtractionLimits | None = None
) -> dict[str, str]:
    """The record of one downloaded attachment, with its text when the kind is supported.

    ``caps`` lists the caps that were hit (comma-separated): decompressed_size, pdf_pages, pdf_stream,
    time, memory, text_chars. Text cut by a cap is kept as far as it got; a file refused by a cap
    has status ``failed: cap: …``."""
    kind = kind_of(url) or "other"
    record = {
        "url": url,
        "name": name,
        "kind": kind,
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": str(len(body)),
        "status": "recorded",
        "text": "",
        "caps": "",
    }
    if kind not in EXTRACTED_KINDS:
        return record
    result = _extract_isolated(kind, body, limits or ExtractionLimits())
    record["caps"] = ",".join(result.get("caps", []))
    if result.get("error"):
        log.warning("cannot extract text of %s: %s", url, result["error"])
        record["status"] = f"failed: {result['error']}"
    else:
        record["text"] = str(result.get("text", ""))
        record["status"] = "extracted"
    return record
