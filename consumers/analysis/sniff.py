"""Bytes → text for files on disk: BOMs, strict UTF-8, a declared charset, then GB18030; HTML detection."""

from __future__ import annotations

import codecs
import re

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARED = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|div|table|p|meta|title|span|td|li|article)\b", re.I)


def decode_bytes(raw: bytes) -> str:
    """Decode a saved document. GBK/GB2312 are decoded as GB18030 (a superset) so no byte is lost."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(raw[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "gb18030"):
            name = "gb18030"
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def looks_like_html(text: str) -> bool:
    """True for saved pages and fragments: several tags near the start, not a plain text with one '<'."""
    head = text[:4000]
    return bool(_HTML.search(head)) and len(re.findall(r"<[A-Za-z!/][^>]{0,200}>", head)) >= 3
