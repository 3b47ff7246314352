"""Text of attachments (附件): PDF via pypdf, DOCX via python-docx; other kinds are recorded by link.

Every record is a flat ``dict[str, str]`` (it travels in ``PageFetched.attachments``):
url, name, kind, status ("extracted", "recorded" or "failed: …"), sha256, bytes and text.
"""

from __future__ import annotations

import hashlib
import io
import logging
from urllib.parse import urljoin, urlsplit

from parsel import Selector

log = logging.getLogger(__name__)

KNOWN_KINDS = ("pdf", "docx", "doc", "wps", "ofd", "xls", "xlsx", "zip", "rar")
MAX_TEXT_CHARS = 500_000


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


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _docx_text(body: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(body))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


EXTRACTORS = {"pdf": _pdf_text, "docx": _docx_text}


def extract_attachment(url: str, name: str, body: bytes) -> dict[str, str]:
    """The record of one downloaded attachment, with its text when the kind is supported."""
    kind = kind_of(url) or "other"
    record = {
        "url": url,
        "name": name,
        "kind": kind,
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": str(len(body)),
        "status": "recorded",
        "text": "",
    }
    extractor = EXTRACTORS.get(kind)
    if extractor is None:
        return record
    try:
        record["text"] = extractor(body)[:MAX_TEXT_CHARS]
        record["status"] = "extracted"
    except Exception as exc:  # any parser failure means "no text" for this file, never a lost page
        log.warning("cannot extract text of %s: %s", url, exc)
        record["status"] = f"failed: {type(exc).__name__}: {exc}"
    return record
