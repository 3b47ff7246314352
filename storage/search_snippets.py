"""Snippets of a search hit: the window of the text holding the most query terms, HTML-escaped, with
every match of a term wrapped in <mark> — a phrase as printed, punctuation between its runs included."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from storage.search_index import searchable
from storage.search_query import Term, Word, highlight_pattern


def snippet(body: str, terms: Sequence[str | Term], width: int = 120) -> str:
    """The window of the text holding the most distinct terms (earliest on ties), HTML-escaped, every
    match of a term wrapped in <mark>. ``terms`` are parsed terms, or plain strings (matched as words)."""
    flat = re.sub(r"\s+", " ", searchable(body)).strip()
    parsed = [Word(t.lower()) if isinstance(t, str) else t for t in terms if t]
    where = []
    for term in parsed:
        pattern = highlight_pattern([term])
        if pattern is not None:
            where.append([(m.start(), m.end() - m.start()) for m in pattern.finditer(flat)][:200])
    start, best = 0, 0
    for anchor in sorted(p for positions in where for p, _ in positions):
        begin = max(0, anchor - width // 3)
        covered = sum(any(begin <= p <= begin + width - n for p, n in positions) for positions in where)
        if covered > best:
            start, best = begin, covered
    window = flat[start:start + width]
    out, pos = [], 0
    pattern = highlight_pattern(parsed)
    if pattern is not None:
        for match in pattern.finditer(window):
            out.append(html.escape(window[pos:match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            pos = match.end()
    out.append(html.escape(window[pos:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(flat) else ""
    return prefix + "".join(out) + suffix
