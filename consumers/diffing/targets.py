"""Quantitative targets (metric, comparator, value, unit, year) compared between two analyses.

Targets are matched by metric and year, because that is how an analyst reads a plan: "产业规模 by
2020" is the same goal even when the sentence around it was rewritten.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from consumers.diffing.paragraphs import bigrams, dice
from zhtext.normalize import canonical_form

TargetKey = tuple[str, int | None]

# Different drafters name one quantity differently (核心产业规模 / 核心产业产值): these generic
# heads are dropped before metric names are compared for similarity.
_METRIC_HEADS = re.compile(r"(?:数量|规模|产值|总量|总额|总规模|收入|营业收入|个数|人数)$")
METRIC_SIMILARITY = 0.6


@dataclass(frozen=True, slots=True)
class TargetChange:
    """A target whose value moved (kind "changed"), appeared ("added") or disappeared ("removed")."""

    metric: str
    year: int | None
    before: str | None
    after: str | None
    kind: str

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "year": self.year,
            "before": self.before,
            "after": self.after,
            "kind": self.kind,
        }


def metric_similarity(a: str, b: str) -> float:
    """Bigram Dice of two metric names without their generic heads (规模, 数量, 产值 …)."""
    a_core = _METRIC_HEADS.sub("", canonical_form(a)) or a
    b_core = _METRIC_HEADS.sub("", canonical_form(b)) or b
    return dice(bigrams(a_core), bigrams(b_core))


def pair_renamed(
    dropped: list[Mapping[str, Any]], added: list[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Pairs an unmatched old target with an unmatched new one of the same unit and a similar metric."""
    scored = sorted(
        (
            (metric_similarity(str(b.get("metric")), str(a.get("metric"))), i, j)
            for i, b in enumerate(dropped)
            for j, a in enumerate(added)
            if (b.get("unit") or "") == (a.get("unit") or "")
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_b: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for score, i, j in scored:
        if score >= METRIC_SIMILARITY and i not in used_b and j not in used_a:
            used_b.add(i)
            used_a.add(j)
            pairs.append((dropped[i], added[j]))
    return pairs


def format_value(target: Mapping[str, Any]) -> str:
    """300.0 + 亿元 → "300亿元"; keeps the comparator out (it is reported only when it changes)."""
    value = target.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value)
    return f"{text}{target.get('unit') or ''}" or str(target.get("text") or "")


def _comparable(target: Mapping[str, Any]) -> tuple[str, str]:
    return (format_value(target), str(target.get("comparator") or ""))


def _year(target: Mapping[str, Any]) -> int | None:
    year = target.get("year")
    try:
        return int(year) if year is not None else None
    except (TypeError, ValueError):
        return None


def group_targets(targets: Iterable[Mapping[str, Any]]) -> dict[TargetKey, list[Mapping[str, Any]]]:
    """Targets keyed by (canonical metric, year), in document order."""
    grouped: dict[TargetKey, list[Mapping[str, Any]]] = defaultdict(list)
    for target in targets:
        metric = canonical_form(str(target.get("metric") or ""))
        if metric:
            grouped[(metric, _year(target))].append(target)
    return grouped


def _describe(target: Mapping[str, Any], with_comparator: bool) -> str:
    comparator = str(target.get("comparator") or "")
    return f"{comparator}{format_value(target)}" if with_comparator else format_value(target)


def compare_targets(
    old_targets: Iterable[Mapping[str, Any]], new_targets: Iterable[Mapping[str, Any]]
) -> list[TargetChange]:
    """Changed, added and removed targets; unchanged ones are left out."""
    old, new = group_targets(old_targets), group_targets(new_targets)
    changes: list[TargetChange] = []
    dropped: list[Mapping[str, Any]] = []
    added: list[Mapping[str, Any]] = []
    for key in list(new) + [k for k in old if k not in new]:
        befores, afters = old.get(key, []), new.get(key, [])
        # Same-key targets (several 产业规模 goals for one year) are paired in document order.
        for b, a in zip(befores, afters, strict=False):
            change = _changed(b, a)
            if change is not None:
                changes.append(change)
        dropped.extend(befores[len(afters) :])
        added.extend(afters[len(befores) :])
    renamed = [
        (b, a) for b, a in pair_renamed(dropped, added) if _year(b) == _year(a)
    ]  # a reworded metric for the same year is the same goal
    for b, a in renamed:
        change = _changed(b, a)
        if change is not None:
            changes.append(change)
    paired_b = {id(b) for b, _ in renamed}
    paired_a = {id(a) for _, a in renamed}
    changes.extend(
        TargetChange(str(a.get("metric")), _year(a), None, _describe(a, False), "added")
        for a in added
        if id(a) not in paired_a
    )
    changes.extend(
        TargetChange(str(b.get("metric")), _year(b), _describe(b, False), None, "removed")
        for b in dropped
        if id(b) not in paired_b
    )
    return changes


def _changed(b: Mapping[str, Any], a: Mapping[str, Any]) -> TargetChange | None:
    if _comparable(b) == _comparable(a):
        return None
    # The comparator is shown only when it moved (超过 → 不少于), to keep alerts short.
    show = _comparable(b)[1] != _comparable(a)[1]
    return TargetChange(str(a.get("metric")), _year(a), _describe(b, show), _describe(a, show), "changed")
