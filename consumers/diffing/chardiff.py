"""Character-level differences inside one aligned paragraph pair.

Runs difflib only on paragraph-sized strings (a few hundred characters), never on whole documents:
SequenceMatcher is roughly quadratic in the worst case, which is fine at paragraph scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from zhtext.normalize import canonical_form


@dataclass(frozen=True, slots=True)
class Span:
    """One changed stretch: positions index into the before/after display texts."""

    op: str  # "replace" | "delete" | "insert"
    before: str
    after: str
    before_start: int
    before_end: int
    after_start: int
    after_end: int

    def to_dict(self) -> dict[str, object]:
        return {
            "op": self.op,
            "before": self.before,
            "after": self.after,
            "before_range": [self.before_start, self.before_end],
            "after_range": [self.after_start, self.after_end],
        }


@dataclass(frozen=True, slots=True)
class CharDiff:
    """The spans of a paragraph pair plus how many characters matched (for the similarity score)."""

    spans: tuple[Span, ...]
    matched: int


def char_diff(before: str, after: str) -> CharDiff:
    """Changed spans between two paragraph texts, ignoring spans that differ only in whitespace/width."""
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    spans: list[Span] = []
    matched = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            matched += i2 - i1
            continue
        old, new = before[i1:i2], after[j1:j2]
        if canonical_form(old) == canonical_form(new):
            matched += len(canonical_form(old))
            continue
        spans.append(Span(op, old, new, i1, i2, j1, j2))
    return CharDiff(tuple(spans), matched)
