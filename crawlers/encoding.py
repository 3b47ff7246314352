"""Decide how the bytes of a page are decoded, so mojibake never reaches the bus.

Order (measured in NOTES.md, fixes all header/meta disagreements seen): strict UTF-8 (BOM
allowed), then the ``<meta>`` charset, then the HTTP header charset (ignoring latin-1, which
servers send by default), then gb18030 (a superset of GBK/GB2312) with replacement.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_LATIN1 = {"iso-8859-1", "latin-1", "latin1", "l1", "cp1252", "windows-1252", "iso8859-1"}
# GBK-family labels decode as gb18030, their superset, so rare characters do not fail.
_WIDEN = {"gbk": "gb18030", "gb2312": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def _canonical(label: str) -> str | None:
    label = label.strip().lower()
    label = _WIDEN.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def sniff_encoding(body: bytes, content_type: str = "") -> str:
    """The encoding to decode ``body`` with (a Python codec name)."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _decodes(body, "utf-8"):
        return "utf-8"
    match = _META_CHARSET.search(body[:4096])
    if match:
        meta = _canonical(match.group(1).decode("ascii", "ignore"))
        if meta and meta != "utf-8" and _decodes(body, meta):
            return meta
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        declared = header.group(1).lower()
        canonical = _canonical(declared)
        if declared not in _LATIN1 and canonical and canonical not in _LATIN1 and _decodes(body, canonical):
            return canonical
    return "gb18030"
