"""A region's earlier plans: which stored documents a new plan succeeds, and what moved between them.

Pure: the caller passes the new document's analysis and the candidate rows (plain dicts of earlier
stored documents, typically of the same region). Successive plans cover different periods, so their
targets are matched by metric alone, comparing each plan's furthest-year goal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consumers.diffing.lineage import region_of
from consumers.diffing.paragraphs import bigrams, dice
from consumers.diffing.targets import format_value, group_targets, pair_renamed
from zhtext.normalize import canonical_form

PLAN_TYPES = frozenset(
    {"规划", "行动计划", "行动方案", "实施意见", "实施方案", "若干措施", "政策措施", "意见"}
)
MIN_SCORE = 0.35
_TITLE_NOISE = re.compile(r"[\d年()《》\-~—–至、,，.:：]+|关于印发|的通知")


@dataclass(frozen=True, slots=True)
class PlanTargetChange:
    """A metric set by both plans (kind "changed"/"same"), only the new one ("new") or only the old ("dropped")."""

    metric: str
    before: str | None
    before_year: int | None
    after: str | None
    after_year: int | None
    kind: str

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "before": self.before,
            "before_year": self.before_year,
            "after": self.after,
            "after_year": self.after_year,
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class Predecessor:
    """One earlier plan of the region, why it was picked, and how the new plan differs from it."""

    document_id: Any
    title: str
    score: float
    targets: tuple[PlanTargetChange, ...]
    new_topics: tuple[str, ...]
    dropped_topics: tuple[str, ...]

    @property
    def headline(self) -> str:
        parts = [f"对比前期规划《{self.title}》"]
        moved = [t for t in self.targets if t.kind == "changed"]
        if moved:
            parts.append(
                "目标变化："
                + "，".join(
                    f"{t.metric} {t.before}（{t.before_year}年）→{t.after}（{t.after_year}年）"
                    for t in moved[:3]
                )
            )
        if self.new_topics:
            parts.append("新增主题：" + "、".join(self.new_topics))
        return "；".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "score": self.score,
            "headline": self.headline,
            "targets": [t.to_dict() for t in self.targets],
            "new_topics": list(self.new_topics),
            "dropped_topics": list(self.dropped_topics),
        }


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row may carry its analysis nested ({"document_id", "title", "analysis": {...}})."""
    analysis = row.get("analysis")
    flat: dict[str, Any] = dict(analysis) if isinstance(analysis, Mapping) else {}
    flat.update({k: v for k, v in row.items() if k != "analysis" and v is not None})
    return flat


def _period_start(row: Mapping[str, Any]) -> int | None:
    period = row.get("period")
    start = period.get("start") if isinstance(period, Mapping) else row.get("period_start")
    try:
        return int(str(start)[:4]) if start else None
    except ValueError:
        return None


def _date(row: Mapping[str, Any]) -> str | None:
    for name in ("issue_date", "publish_date"):
        value = row.get(name)
        if value:
            return str(value)[:10]
    return None


def _recency(row: Mapping[str, Any]) -> str:
    """Issue date when known, else the start of the planning period, as a sortable ISO-ish string."""
    start = _period_start(row)
    return _date(row) or (f"{start:04d}-01-01" if start else "")


def _topics(row: Mapping[str, Any]) -> list[str]:
    ai = row.get("ai")
    topics = ai.get("topics") if isinstance(ai, Mapping) else row.get("topics")
    return [str(t) for t in topics] if isinstance(topics, list | tuple) else []


def _title_key(title: str) -> frozenset[str]:
    return bigrams(_TITLE_NOISE.sub("", canonical_form(title)))


def is_earlier(candidate: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Earlier by planning period when both have one, else by issue/publish date."""
    old_start, new_start = _period_start(candidate), _period_start(new)
    if old_start is not None and new_start is not None and old_start != new_start:
        return old_start < new_start
    old_date, new_date = _date(candidate), _date(new)
    return old_date is not None and new_date is not None and old_date < new_date


def topic_similarity(old: Sequence[str], new: Sequence[str]) -> float:
    """Overlap coefficient |A∩B| / min(|A|, |B|) of two plans' topics.

    Not Jaccard: a focused follow-up plan (若干措施 on 大模型 and 算力) names fewer topics than the broad
    plan it follows, and Jaccard would count the broad plan's extra topics against it — the demo's
    南沙 measures scored 0.344 against their predecessor for that reason alone.
    """
    a, b = set(old), set(new)
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def genre_score(candidate: Mapping[str, Any], new: Mapping[str, Any]) -> float:
    old_type, new_type = candidate.get("doc_type"), new.get("doc_type")
    if old_type and old_type == new_type:
        return 1.0
    return 0.6 if old_type in PLAN_TYPES and new_type in PLAN_TYPES else 0.0


def _furthest(targets: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    return max(targets, key=lambda t: _int_year(t) or 0)


def compare_plan_targets(
    old_targets: Iterable[Mapping[str, Any]], new_targets: Iterable[Mapping[str, Any]]
) -> list[PlanTargetChange]:
    """Per metric, the old plan's furthest goal against the new plan's furthest goal."""

    def by_metric(targets: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
        grouped: dict[str, list[Mapping[str, Any]]] = {}
        for (metric, _), items in group_targets(targets).items():
            grouped.setdefault(metric, []).extend(items)
        return grouped

    old, new = by_metric(old_targets), by_metric(new_targets)
    old_goals = {m: _furthest(items) for m, items in old.items()}
    new_goals = {m: _furthest(items) for m, items in new.items()}
    pairs = [(old_goals[m], new_goals[m]) for m in new_goals if m in old_goals]
    pairs += pair_renamed(
        [g for m, g in old_goals.items() if m not in new_goals],
        [g for m, g in new_goals.items() if m not in old_goals],
    )
    paired = {id(t) for pair in pairs for t in pair}
    changes = [_plan_change(b, a) for b, a in pairs]
    changes += [_plan_change(None, a) for a in new_goals.values() if id(a) not in paired]
    changes += [_plan_change(b, None) for b in old_goals.values() if id(b) not in paired]
    return changes


def _plan_change(b: Mapping[str, Any] | None, a: Mapping[str, Any] | None) -> PlanTargetChange:
    before = format_value(b) if b else None
    after = format_value(a) if a else None
    kind = "new" if b is None else "dropped" if a is None else "same" if before == after else "changed"
    return PlanTargetChange(
        str((a or b or {}).get("metric")),
        before,
        _int_year(b),
        after,
        _int_year(a),
        kind,
    )


def _int_year(target: Mapping[str, Any] | None) -> int | None:
    try:
        return int(target["year"]) if target and target.get("year") is not None else None
    except (TypeError, ValueError):
        return None


def find_predecessors(
    new_analysis: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]], min_score: float = MIN_SCORE
) -> list[Predecessor]:
    """Earlier plans of the same region with a similar genre/title, most recent first."""
    region = region_of(new_analysis)
    new_title = _title_key(str(new_analysis.get("title") or ""))
    new_topics = _topics(new_analysis)
    picked: list[tuple[str, Predecessor]] = []
    for row in map(_flat, candidates):
        if region is None or region_of(row) != region or not is_earlier(row, new_analysis):
            continue
        genre = genre_score(row, new_analysis)
        if genre == 0.0:
            continue
        old_topics = _topics(row)
        topic_overlap = topic_similarity(old_topics, new_topics)
        title_sim = dice(_title_key(str(row.get("title") or "")), new_title)
        score = 0.5 * title_sim + 0.3 * genre + 0.2 * topic_overlap
        if score < min_score:
            continue
        predecessor = Predecessor(
            document_id=row["document_id"] if row.get("document_id") is not None else row.get("id"),
            title=str(row.get("title") or ""),
            score=round(score, 3),
            targets=tuple(compare_plan_targets(row.get("targets") or (), new_analysis.get("targets") or ())),
            new_topics=tuple(t for t in new_topics if t not in old_topics),
            dropped_topics=tuple(t for t in old_topics if t not in new_topics),
        )
        picked.append((_recency(row), predecessor))
    picked.sort(key=lambda item: item[0], reverse=True)
    return [p for _, p in picked]


def compare_with_predecessors(
    new_analysis: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]]
) -> list[dict[str, object]]:
    """JSON-ready form of find_predecessors, for change events."""
    return [p.to_dict() for p in find_predecessors(new_analysis, candidates)]
