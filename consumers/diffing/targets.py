"""Quantitative targets (metric, comparator, value, unit, year) compared between two analyses.

Targets are matched by metric and year, because that is how an analyst reads a plan: "产业规模 by
2020" is the same goal even when the sentence around it was rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from consumers.diffing.normalize import canonical_form

TargetKey = tuple[str, int | None]


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
    for key in list(new) + [k for k in old if k not in new]:
        metric = str((new.get(key) or old[key])[0].get("metric"))
        befores, afters = old.get(key, []), new.get(key, [])
        # Same-key targets (several 产业规模 goals for one year) are paired in document order.
        for i in range(max(len(befores), len(afters))):
            b = befores[i] if i < len(befores) else None
            a = afters[i] if i < len(afters) else None
            if b is not None and a is not None:
                if _comparable(b) != _comparable(a):
                    # The comparator is shown only when it moved (超过 → 不少于), to keep alerts short.
                    show = _comparable(b)[1] != _comparable(a)[1]
                    changes.append(
                        TargetChange(metric, key[1], _describe(b, show), _describe(a, show), "changed")
                    )
            elif a is not None:
                changes.append(TargetChange(metric, key[1], None, _describe(a, False), "added"))
            elif b is not None:
                changes.append(TargetChange(metric, key[1], _describe(b, False), None, "removed"))
    return changes
