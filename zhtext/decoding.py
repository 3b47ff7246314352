"""Bytes → text: the one decoder for Chinese pages and files, so mojibake never reaches the analysis.

Order (measured in NOTES.md, fixes all header/meta disagreements seen): a byte-order mark, strict UTF-8,
then the charset a source definition declares (``[encoding] declared``), then the ``<meta>`` charset,
then the HTTP header charset (ignoring latin-1, which servers send by default), then the source's
fallback (``[encoding] fallback``, default gb18030, a superset of GBK/GB2312).

The declared charset comes after strict UTF-8 on purpose: GBK or Big5 bytes are almost never valid
UTF-8 by accident, while UTF-8 Chinese text often decodes "successfully" as GBK — so a site that
declares gbk but serves a UTF-8 page still yields the right text. The crawler asks ``sniff_encoding``
for a response's codec; files on disk are read with ``decode_bytes``.
"""

from __future__ import annotations

import codecs
import re

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
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


DEFAULT_FALLBACK = "gb18030"


def sniff_encoding(body: bytes, content_type: str = "", declared: str = "", fallback: str = "") -> str:
    """The encoding to decode ``body`` with (a Python codec name).

    ``declared`` and ``fallback`` are a source definition's ``[encoding]`` hints; the last resort is
    ``fallback`` (default gb18030), which may leave replacement characters for undecodable bytes.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding
    if _decodes(body, "utf-8"):
        return "utf-8"
    trusted = _canonical(declared) if declared else None
    if trusted and _decodes(body, trusted):
        return trusted
    match = _META_CHARSET.search(body[:4096])
    if match:
        meta = _canonical(match.group(1).decode("ascii", "ignore"))
        if meta and meta != "utf-8" and _decodes(body, meta):
            return meta
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        label = header.group(1).lower()
        canonical = _canonical(label)
        if label not in _LATIN1 and canonical and canonical not in _LATIN1 and _decodes(body, canonical):
            return canonical
    return (_canonical(fallback) if fallback else None) or DEFAULT_FALLBACK


def decode_bytes(raw: bytes) -> str:
    """Decode a saved document by ``sniff_encoding``'s rules; bytes no codec explains become U+FFFD."""
    encoding = sniff_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")
