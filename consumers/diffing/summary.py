"""The result of a version diff, JSON-ready for change events and alerts, with a Chinese headline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from consumers.diffing.chardiff import Span
from consumers.diffing.numbers import NumberChange
from consumers.diffing.targets import TargetChange

HEADLINE_ITEMS = 3


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    """An edited paragraph: display texts before and after, and the changed spans between them."""

    clause: str | None
    before: str
    after: str
    spans: tuple[Span, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "clause": self.clause,
            "before": self.before,
            "after": self.after,
            "spans": [s.to_dict() for s in self.spans],
        }


@dataclass(frozen=True, slots=True)
class ParagraphRef:
    """An added or removed paragraph with the clause it sits in."""

    clause: str | None
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"clause": self.clause, "text": self.text}


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """What changed between two versions of one document."""

    added: tuple[ParagraphRef, ...] = ()
    removed: tuple[ParagraphRef, ...] = ()
    changed: tuple[ParagraphChange, ...] = ()
    numbers: tuple[NumberChange, ...] = ()
    targets: tuple[TargetChange, ...] = ()
    moved: int = 0
    similarity: float = 1.0
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def is_trivial(self) -> bool:
        """True when nothing but whitespace, line wrapping, character width or clause numbering differs."""
        return not (self.added or self.removed or self.changed or self.numbers or self.targets or self.moved)

    @property
    def headline(self) -> str:
        """One line for an alert subject, e.g. 修订：新增2段，修改3段；目标变化：产业规模 300亿元→500亿元."""
        if self.is_trivial:
            return "无实质性变化（仅空白、换行、全半角或序号差异）"
        parts = []
        for count, word in (
            (len(self.added), "新增"),
            (len(self.removed), "删除"),
            (len(self.changed), "修改"),
            (self.moved, "移动"),
        ):
            if count:
                parts.append(f"{word}{count}段")
        headline = "修订" + ("：" + "，".join(parts) if parts else "")
        if self.targets:
            headline += "；目标变化：" + _list(self._target_phrases())
        elif self.numbers:
            # Values that moved say more than numbers that appeared or vanished with reworded text.
            ordered = sorted(self.numbers, key=lambda n: n.before is None or n.after is None)
            headline += "；数字变化：" + _list(_number_phrase(n) for n in ordered)
        return headline

    def _target_phrases(self) -> list[str]:
        repeated = {t.metric for t in self.targets if sum(u.metric == t.metric for u in self.targets) > 1}
        phrases = []
        for t in self.targets:
            name = f"{t.metric}（{t.year}年）" if t.metric in repeated and t.year else t.metric
            if t.kind == "added":
                phrases.append(f"新增{name} {t.after}")
            elif t.kind == "removed":
                phrases.append(f"取消{name} {t.before}")
            else:
                phrases.append(f"{name} {t.before}→{t.after}")
        return phrases

    def to_dict(self) -> dict[str, object]:
        return {
            "headline": self.headline,
            "is_trivial": self.is_trivial,
            "added": [p.to_dict() for p in self.added],
            "removed": [p.to_dict() for p in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "numbers": [n.to_dict() for n in self.numbers],
            "targets": [t.to_dict() for t in self.targets],
            "similarity": self.similarity,
            "stats": dict(self.stats),
        }


def _number_phrase(change: NumberChange) -> str:
    before, after = change.before or "无", change.after or "无"
    context = change.context
    for token in (change.after, change.before):
        if token and token in context:
            context = context.split(token, 1)[0]
            break
    context = context.strip(" ，,。；;：:、")[-12:]
    return f"{context} {before}→{after}".strip()


def _list(items: Iterable[str]) -> str:
    phrases = list(items)
    shown = "，".join(phrases[:HEADLINE_ITEMS])
    return shown + (f"等{len(phrases)}项" if len(phrases) > HEADLINE_ITEMS else "")
