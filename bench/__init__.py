"""Benchmarks: each module ``bench_*.py`` exposes ``run() -> list[Row]``; ratios against a baseline
measured in the same run, so figures are comparable across machines."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured comparison: ours vs a baseline, on the same input, in the same process."""

    name: str
    ours: float
    baseline: float
    unit: str
    baseline_name: str
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")
