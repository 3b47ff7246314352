"""Plain text tables for the terminal that line up with Chinese (double-width) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(rows: Sequence[dict[str, str]], columns: Sequence[str]) -> str:
    """Header, rule and one line per row; missing cells are blank."""
    widths = {c: max([display_width(c), *(display_width(row.get(c, "")) for row in rows)]) for c in columns}
    lines = ["  ".join(c + " " * (widths[c] - display_width(c)) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        lines.append(
            "  ".join(row.get(c, "") + " " * (widths[c] - display_width(row.get(c, ""))) for c in columns)
        )
    return "\n".join(line.rstrip() for line in lines)
