"""The child process that extracts an attachment's text, so hostile files cannot hurt the crawl.

Run as ``python -m crawlers.extract_worker KIND LIMITS_JSON`` with the file's bytes on standard input;
prints one JSON object: ``text``, ``caps`` (the caps that were hit) and ``error``. It first limits its
own address space (RLIMIT_AS), so a decompression bomb ends in MemoryError here, never in the crawl;
the parent (``crawlers.attachments``) kills it when it runs past its time. Inside, the caps are checked
before the expensive work: DOCX members' declared sizes before python-docx inflates them, pypdf's own
stream limits, and a page count.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import zipfile
from typing import Any


class CapHit(Exception):
    """A cap stopped extraction before any text was taken."""

    def __init__(self, cap: str, detail: str) -> None:
        super().__init__(detail)
        self.cap = cap


def _pdf_text(body: bytes, limits: dict[str, Any], caps: list[str]) -> str:
    import pypdf

    cap = int(limits["max_decompressed_bytes"])
    pypdf.overwrite_configuration(
        maximum_declared_stream_length=cap, zlib_maximum_output_length=cap, lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap, array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap, image_maximum_buffer_size=cap,
    )
    reader = pypdf.PdfReader(io.BytesIO(body))
    pages = reader.pages
    if len(pages) > int(limits["max_pdf_pages"]):
        caps.append("pdf_pages")
    parts, size = [], 0
    for page in list(pages)[: int(limits["max_pdf_pages"])]:
        try:
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()  # decoded once here, where a cap raises (extract_text swallows it)
            text = page.extract_text() or ""
        except pypdf.errors.LimitReachedError:
            caps.append("pdf_stream")
            continue
        parts.append(text)
        size += len(text)
        if size >= int(limits["max_chars"]):
            break
    return "\n".join(parts)


def _docx_text(body: bytes, limits: dict[str, Any], caps: list[str]) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        declared = sum(info.file_size for info in archive.infolist())
        if declared > int(limits["max_decompressed_bytes"]) or len(archive.infolist()) > 10_000:
            raise CapHit("decompressed_size", f"DOCX inflates to {declared} bytes, over the cap")
    from docx import Document

    document = Document(io.BytesIO(body))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


EXTRACTORS = {"pdf": _pdf_text, "docx": _docx_text}


def extract(kind: str, body: bytes, limits: dict[str, Any]) -> dict[str, Any]:
    caps: list[str] = []
    try:
        text = EXTRACTORS[kind](body, limits, caps)
    except CapHit as exc:
        return {"text": "", "caps": [exc.cap], "error": f"cap: {exc}"}
    except MemoryError:
        return {"text": "", "caps": ["memory"], "error": "cap: memory limit reached while extracting"}
    except Exception as exc:  # any parser failure means "no text" for this file
        name = type(exc).__name__
        if name == "LimitReachedError":
            return {"text": "", "caps": ["pdf_stream"], "error": f"cap: {exc}"}
        return {"text": "", "caps": caps, "error": f"{name}: {exc}"[:500]}
    if len(text) > int(limits["max_chars"]):
        caps.append("text_chars")
        text = text[: int(limits["max_chars"])]
    return {"text": text, "caps": caps, "error": ""}


def main() -> None:
    kind, limits = sys.argv[1], json.loads(sys.argv[2])
    memory = int(limits["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    body = sys.stdin.buffer.read()
    sys.stdout.write(json.dumps(extract(kind, body, limits), ensure_ascii=False))


if __name__ == "__main__":
    main()
