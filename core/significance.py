"""How much a change matters: the four grades, shared by the store stage that grades and the alert filters.

The grade is computed once, where the change is recorded (``consumers.significance``), and kept in
``change.summary["significance"]`` as ``{"grade": ..., "label": ..., "reasons": [...]}``; subscribers
filter on a minimum grade (``Subscription.min_significance``). The order lives here so both sides
agree on what "at least substantive" means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GRADES: tuple[str, ...] = ("editorial", "wording", "substantive", "major")
GRADE_LABELS: dict[str, str] = {
    "editorial": "编辑性 editorial",
    "wording": "措辞 wording",
    "substantive": "实质性 substantive",
    "major": "重大 major",
}


def grade_rank(grade: str | None) -> int:
    """Position of a grade in GRADES; an unknown or missing grade ranks highest (never filtered out)."""
    return GRADES.index(grade) if grade in GRADES else len(GRADES)


def change_grade(summary: Mapping[str, Any] | None) -> str | None:
    """The grade stored in a change summary, or None for changes recorded before grading existed."""
    significance = (summary or {}).get("significance")
    if isinstance(significance, Mapping) and isinstance(significance.get("grade"), str):
        return str(significance["grade"])
    return None


def at_least(summary: Mapping[str, Any] | None, minimum: str | None) -> bool:
    """True when the change's grade reaches ``minimum`` (no minimum, or an ungraded change, passes)."""
    if not minimum:
        return True
    return grade_rank(change_grade(summary)) >= grade_rank(minimum)
