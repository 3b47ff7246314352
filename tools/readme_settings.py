"""Rewrite the settings table in README.md from the settings schema (``python -m tools.readme_settings``).

The table is generated, not hand-kept: ``tests/core/test_settings.py`` fails when a setting is missing
from it, and this tool is how it is brought back in line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.settings import describe_settings

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER = "| key | default | meaning |"


def table() -> str:
    rows = [HEADER, "|---|---|---|"]
    rows += [f"| `{key}` | `{default}` | {help_text} |" for key, default, help_text in describe_settings()]
    return "\n".join(rows)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    start = text.index(HEADER)
    end = text.find("\n\n", start)
    README.write_text(text[:start] + table() + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
