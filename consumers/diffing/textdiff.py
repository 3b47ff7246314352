"""Version diff: what changed between two versions of one policy document.

Paragraph-level alignment (by outline clause when the analyses carry one), then a character diff
inside each edited paragraph, number changes, and target changes matched by metric and year.
Whole-document character diffs are never computed: a 40k-character document has a few hundred
paragraphs, and only the edited ones are compared character by character.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consumers.diffing.align import align, clause_labels
from consumers.diffing.chardiff import char_diff
from consumers.diffing.numbers import NumberChange, number_changes
from consumers.diffing.outline import sectionise
from consumers.diffing.paragraphs import HEADING_PATTERN, split_paragraphs
from consumers.diffing.summary import ChangeSummary, ParagraphChange, ParagraphRef
from consumers.diffing.targets import compare_targets
from zhtext.normalize import canonical_form

STAT_KEYS = (
    "paragraphs_old",
    "paragraphs_new",
    "unchanged",
    "moved",
    "renumbered",
    "added",
    "removed",
    "changed",
    "numbers_changed",
    "targets_changed",
    "chars_old",
    "chars_new",
)


def _stats(**counts: int) -> dict[str, int]:
    """Every key always present, so consumers of change events need no defaults."""
    stats = dict.fromkeys(STAT_KEYS, 0)
    stats.update(counts)
    return stats


def _without_number(key: str) -> str:
    return HEADING_PATTERN.sub("", key, count=1)


def _field(analysis: Mapping[str, Any] | None, name: str) -> list[Any]:
    value = analysis.get(name) if analysis else None
    return list(value) if isinstance(value, list | tuple) else []


def diff_versions(
    old_text: str,
    new_text: str,
    old_analysis: Mapping[str, Any] | None = None,
    new_analysis: Mapping[str, Any] | None = None,
) -> ChangeSummary:
    """Compare two versions of a document; trivial when only whitespace or character width differ."""
    targets = tuple(compare_targets(_field(old_analysis, "targets"), _field(new_analysis, "targets")))
    old_paragraphs, new_paragraphs = split_paragraphs(old_text), split_paragraphs(new_text)
    old_chars = sum(len(p.key) for p in old_paragraphs)
    new_chars = sum(len(p.key) for p in new_paragraphs)
    if canonical_form(old_text) == canonical_form(new_text):
        stats = _stats(
            paragraphs_old=len(old_paragraphs),
            paragraphs_new=len(new_paragraphs),
            unchanged=len(new_paragraphs),
            targets_changed=len(targets),
            chars_old=old_chars,
            chars_new=new_chars,
        )
        return ChangeSummary(targets=targets, stats=stats)

    old_outline, new_outline = _field(old_analysis, "outline"), _field(new_analysis, "outline")
    if not (old_outline and new_outline):
        # Clause ids align only against clause ids: one outline alone would split one side into
        # clauses that have no partner on the other.
        old_outline = new_outline = []
    old_sections = sectionise(old_paragraphs, old_outline)
    new_sections = sectionise(new_paragraphs, new_outline)
    alignment = align(old_sections, new_sections)
    old_labels, new_labels = clause_labels(old_sections), clause_labels(new_sections)

    matched = sum(len(a.key) for a, _ in alignment.unchanged) + sum(len(a.key) for a, _ in alignment.moved)
    changed: list[ParagraphChange] = []
    numbers: list[NumberChange] = []
    renumbered = 0
    for before, after in alignment.changed:
        if _without_number(before.key) == _without_number(after.key):
            # 二、智能医疗 → 三、智能医疗 after a clause was inserted above: not an edit of the clause.
            renumbered += 1
            matched += len(after.key)
            continue
        diff = char_diff(before.text, after.text)
        matched += diff.matched
        if not diff.spans:
            continue
        label = new_labels.get(after.index) or old_labels.get(before.index)
        changed.append(ParagraphChange(label, before.text, after.text, diff.spans))
        numbers.extend(number_changes(before.text, after.text))

    total = old_chars + new_chars
    similarity = min(1.0, 2 * matched / total) if total else 1.0
    summary = ChangeSummary(
        added=tuple(ParagraphRef(new_labels.get(p.index), p.text) for p in alignment.added),
        removed=tuple(ParagraphRef(old_labels.get(p.index), p.text) for p in alignment.removed),
        changed=tuple(changed),
        numbers=tuple(numbers),
        targets=targets,
        moved=len(alignment.moved),
        similarity=round(similarity, 4),
        stats=_stats(
            paragraphs_old=len(old_paragraphs),
            paragraphs_new=len(new_paragraphs),
            unchanged=len(alignment.unchanged),
            moved=len(alignment.moved),
            renumbered=renumbered,
            added=len(alignment.added),
            removed=len(alignment.removed),
            changed=len(changed),
            numbers_changed=len(numbers),
            targets_changed=len(targets),
            chars_old=old_chars,
            chars_new=new_chars,
        ),
    )
    return summary
