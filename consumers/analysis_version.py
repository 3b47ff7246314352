"""The analyser's version: a fingerprint of the code that reads documents.

Re-analysis records which analyser produced a revision. A hand-kept number would be forgotten on the
commit that improves a pattern; a digest of the analysis and Chinese-text sources changes with every
such commit by itself.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
_PACKAGES = ("consumers/analysis", "zhtext")


@lru_cache(maxsize=1)
def analyser_version() -> str:
    """``a-<12 hex digits>`` over the sources (and data files) the analysis runs on."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for path in sorted((_ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return f"a-{digest.hexdigest()[:12]}"
