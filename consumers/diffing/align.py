"""Paragraph alignment between two versions: clause by clause, then a global pass for what moved.

difflib.SequenceMatcher runs on paragraph keys (a few hundred items per document), which is cheap;
the blocks it cannot match are paired by bigram similarity so an edited paragraph is reported as
changed, not as one deletion plus one addition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from consumers.diffing.outline import Section, heading_label
from consumers.diffing.paragraphs import Paragraph, bigrams, dice

# Two paragraphs sharing at least this Dice similarity of character bigrams are one edited paragraph.
PAIR_THRESHOLD = 0.5
# Above this many candidate pairs, only paragraphs at a similar relative position are compared.
MAX_PAIR_CANDIDATES = 40_000
POSITION_WINDOW = 60


@dataclass(slots=True)
class Alignment:
    """The outcome of aligning two paragraph lists; labels name the clause each paragraph is in."""

    unchanged: list[tuple[Paragraph, Paragraph]] = field(default_factory=list)
    moved: list[tuple[Paragraph, Paragraph]] = field(default_factory=list)
    changed: list[tuple[Paragraph, Paragraph]] = field(default_factory=list)
    added: list[Paragraph] = field(default_factory=list)
    removed: list[Paragraph] = field(default_factory=list)


def pair_similar(olds: Sequence[Paragraph], news: Sequence[Paragraph]) -> list[tuple[Paragraph, Paragraph]]:
    """Greedy best-first pairing of edited paragraphs (each used once, similarity ≥ PAIR_THRESHOLD)."""
    if not olds or not news:
        return []
    old_grams = [bigrams(p.key) for p in olds]
    new_grams = [bigrams(p.key) for p in news]
    exhaustive = len(olds) * len(news) <= MAX_PAIR_CANDIDATES
    scored: list[tuple[float, int, int]] = []
    for i, grams in enumerate(old_grams):
        if exhaustive:
            js: range = range(len(news))
        else:
            centre = round(i * len(news) / len(olds))
            js = range(max(0, centre - POSITION_WINDOW), min(len(news), centre + POSITION_WINDOW))
        for j in js:
            score = dice(grams, new_grams[j])
            if score >= PAIR_THRESHOLD:
                scored.append((score, i, j))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[Paragraph, Paragraph]] = []
    for _, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((olds[i], news[j]))
    return pairs


def _diff_lists(
    old: list[Paragraph], new: list[Paragraph], result: Alignment
) -> tuple[list[Paragraph], list[Paragraph]]:
    """Aligns two paragraph lists into result; returns the paragraphs left without a partner."""
    matcher = SequenceMatcher(None, [p.key for p in old], [p.key for p in new], autojunk=False)
    left_old: list[Paragraph] = []
    left_new: list[Paragraph] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result.unchanged.extend(zip(old[i1:i2], new[j1:j2], strict=True))
            continue
        block_old, block_new = old[i1:i2], new[j1:j2]
        pairs = pair_similar(block_old, block_new)
        result.changed.extend(pairs)
        paired_old = {id(a) for a, _ in pairs}
        paired_new = {id(b) for _, b in pairs}
        left_old.extend(p for p in block_old if id(p) not in paired_old)
        left_new.extend(p for p in block_new if id(p) not in paired_new)
    return left_old, left_new


def _match_sections(
    old: list[Section], new: list[Section]
) -> tuple[list[tuple[Section, Section]], list[Section], list[Section]]:
    """Pair clauses: same id and heading, then same heading (renumbered), then same id (reworded)."""
    matched: list[tuple[Section, Section]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()

    def pair_by(key: Callable[[Section], object]) -> None:
        index: dict[object, Section] = {}
        for section in old:
            if id(section) not in used_old and key(section) is not None:
                index.setdefault(key(section), section)
        for section in new:
            if id(section) in used_new or key(section) is None:
                continue
            partner = index.pop(key(section), None)
            if partner is not None:
                matched.append((partner, section))
                used_old.add(id(partner))
                used_new.add(id(section))

    # Ids are numbering paths, so an inserted clause shifts them: an id alone is the weakest evidence.
    pair_by(lambda s: (s.key, s.heading_key) if s.key is not None or s.heading_key is None else None)
    pair_by(lambda s: s.heading_key or None)
    pair_by(lambda s: s.key)
    return (
        matched,
        [s for s in old if id(s) not in used_old],
        [s for s in new if id(s) not in used_new],
    )


def _merge_by_key(sections: list[Section]) -> list[Section]:
    merged: dict[str | None, Section] = {}
    for section in sections:
        if section.key in merged:
            merged[section.key].paragraphs.extend(section.paragraphs)
        else:
            merged[section.key] = Section(
                section.key, section.label, section.heading_key, list(section.paragraphs)
            )
    return list(merged.values())


def align(old_sections: list[Section], new_sections: list[Section]) -> Alignment:
    """Clause-by-clause alignment, then identical paragraphs found elsewhere count as moved."""
    result = Alignment()
    matched, only_old, only_new = _match_sections(_merge_by_key(old_sections), _merge_by_key(new_sections))
    # Clauses without a partner (ids and headings both changed) are compared in document order first,
    # so an unstable clause id does not turn text that stayed in place into "moved" paragraphs.
    left_old, left_new = _diff_lists(
        sorted((p for s in only_old for p in s.paragraphs), key=lambda p: p.index),
        sorted((p for s in only_new for p in s.paragraphs), key=lambda p: p.index),
        result,
    )
    for old_section, new_section in matched:
        lo, ln = _diff_lists(old_section.paragraphs, new_section.paragraphs, result)
        left_old.extend(lo)
        left_new.extend(ln)
    left_old.sort(key=lambda p: p.index)
    left_new.sort(key=lambda p: p.index)
    by_key: dict[str, list[Paragraph]] = {}
    for p in left_old:
        by_key.setdefault(p.key, []).append(p)
    rest_new: list[Paragraph] = []
    for p in left_new:
        candidates = by_key.get(p.key)
        if candidates:
            result.moved.append((candidates.pop(0), p))
        else:
            rest_new.append(p)
    moved_old = {id(a) for a, _ in result.moved}
    rest_old = [p for p in left_old if id(p) not in moved_old]
    pairs = pair_similar(rest_old, rest_new)
    result.changed.extend(pairs)
    paired_old = {id(a) for a, _ in pairs}
    paired_new = {id(b) for _, b in pairs}
    result.removed = [p for p in rest_old if id(p) not in paired_old]
    result.added = [p for p in rest_new if id(p) not in paired_new]
    result.changed.sort(key=lambda pair: pair[1].index)
    return result


def clause_labels(sections: list[Section]) -> dict[int, str | None]:
    """Paragraph index → readable clause label (outline label, else the nearest printed heading)."""
    labels: dict[int, str | None] = {}
    last_heading: str | None = None
    for section in sections:
        for paragraph in section.paragraphs:
            own = heading_label(paragraph)
            if own is not None:
                last_heading = own
            labels[paragraph.index] = section.label or last_heading
    return labels
