"""Real PDF and DOCX bytes for the simulated sites' attachments (附件), built without network or fonts.

The PDF uses a Type0 font with Identity-H encoding and a ToUnicode CMap, the way Chinese office
software exports text PDFs, so text extractors (pypdf) recover the Chinese text exactly.
"""

from __future__ import annotations

import functools
import io
import zipfile
import zlib


def make_docx(title: str, paragraphs: list[str]) -> bytes:
    """A .docx with a heading and paragraphs (python-docx)."""
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=4)
def make_docx_bomb(inflated_bytes: int) -> bytes:
    """A valid .docx carrying one extra member that inflates to ``inflated_bytes`` (zeros compress
    ~1000:1): the attachment bomb of the fault tests. Written in chunks, so building it stays small."""
    buffer = io.BytesIO(make_docx("附件", ["见附图。"]))
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated_bytes // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


@functools.lru_cache(maxsize=4)
def make_pdf_bomb(inflated_bytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated_bytes`` (the PDF attachment bomb)."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    stream = b"".join(packer.compress(chunk) for _ in range(inflated_bytes // len(chunk))) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _to_unicode_cmap(codes: set[int]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    ordered = sorted(codes)
    for start in range(0, len(ordered), 100):
        chunk = ordered[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{code:04X}> <{code:04X}>" for code in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (BMP characters only) with extractable text."""
    codes: set[int] = set()
    text_ops = ["BT", "/F1 11 Tf", "14 TL", "40 800 Td"]
    for line in lines:
        encoded = "".join(f"{ord(ch):04X}" for ch in line if ord(ch) <= 0xFFFF)
        codes.update(ord(ch) for ch in line if ord(ch) <= 0xFFFF)
        text_ops.append(f"<{encoded}> Tj T*")
    text_ops.append("ET")
    content = zlib.compress("\n".join(text_ops).encode("ascii"))
    cmap = zlib.compress(_to_unicode_cmap(codes))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
