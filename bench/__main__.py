"""`make bench`: run every bench module and print one table of ratios."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(selected: list[str]) -> int:
    rows = []
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        if selected and info.name not in selected:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"running {info.name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run())
    print_rows(rows)
    return 0


def print_rows(rows: list[bench.Row]) -> None:
    header = f"{'benchmark':44} {'ours':>12} {'baseline':>12} {'unit':>10} {'ratio':>7}  baseline"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.name:44} {row.ours:12.4g} {row.baseline:12.4g} {row.unit:>10} {row.ratio:7.2f}  "
            f"{row.baseline_name}{'  (' + row.note + ')' if row.note else ''}"
        )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
