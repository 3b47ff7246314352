"""Request parameters validated at the edge: every integer bounded, so no value can reach the database
as an overflow or a negative LIMIT (a clear 422, never a 500).

Use these annotated types for every id, limit, offset and free-text parameter of every route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# The largest id a 32-bit INTEGER primary key can hold (SQLite and PostgreSQL both accept it).
MAX_ID = 2**31 - 1
# Deeper pages are refused: a client walks further with filters or a cursor, not an offset of millions.
MAX_OFFSET = 100_000

DocumentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Document id")]
VersionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Version id")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]
# Free text: bounded, and without NUL (PostgreSQL refuses it in text, which would be a 500).
MAX_TEXT = 500
NO_NUL = r"^[^\x00]*$"
SearchText = Annotated[str, Query(max_length=MAX_TEXT, pattern=NO_NUL, description="Search text")]
FilterText = Annotated[str | None, Query(max_length=MAX_TEXT, pattern=NO_NUL)]


def limit(maximum: int = 200) -> object:
    """Metadata for a ``limit`` query parameter between 1 and ``maximum``:
    ``limit: Annotated[int, limit(500)] = 100``."""
    return Query(ge=1, le=maximum, description=f"Rows per page (1–{maximum})")
