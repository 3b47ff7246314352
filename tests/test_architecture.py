"""The package graph shows the architecture: every import points down the layers, and nothing forms a circle.

Imports are read with the standard library's ``ast`` from every module of the shipped packages and the
developer tools — imports inside functions and under ``TYPE_CHECKING`` included, because an import that
is only deferred still ties the two modules together.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. A package may import itself and the packages of lower layers, never a package of its own
# layer or of a higher one. This is the one place the direction is written down (README: Architecture).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # contracts every stage shares: errors, settings schema, events, bus, broker, metrics
    ("zhtext",),  # Chinese text knowledge: regions, folding, 文号, tokenizer, decoding
    ("storage", "crawlers"),  # the store; the spiders that read the sites
    ("alerts",),  # subscriptions, matching, rendering, channels
    ("consumers",),  # the stages: classify (analysis), store (diffing), alert
    ("policywatch",),  # the application: CLI, daemon, composition root, web, demo
    ("tools",),  # developer tooling: the analysis evaluation, a PostgreSQL server for tests and benchmarks
    ("bench",),  # the benchmarks, on top of everything
)
LAYER_OF = {package: index for index, layer in enumerate(LAYERS) for package in layer}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in LAYER_OF:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of ours that ``name`` imports (a ``from package import module`` counts as that module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _package(module: str) -> str:
    return module.split(".")[0]


def test_every_import_points_down_the_layers() -> None:
    upward = []
    for module, imported in sorted(_graph().items()):
        here = _package(module)
        for target in sorted(imported):
            there = _package(target)
            if there != here and LAYER_OF[there] >= LAYER_OF[here]:
                upward.append(f"{module} -> {target}")
    assert not upward, "imports that do not point down the layers:\n  " + "\n  ".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    # A package's __init__ re-exporting its modules is not a circle of design, only of bookkeeping.
    without_reexports = {
        module: {t for t in targets if not (module.startswith(t + ".") and _is_package(t))}
        for module, targets in graph.items()
    }
    cycles = _cycles(without_reexports)
    assert not cycles, "import circles:\n  " + "\n  ".join(" <-> ".join(c) for c in cycles)


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").exists()


@pytest.mark.parametrize("package", sorted(LAYER_OF))
def test_every_package_has_its_place_in_the_layers(package: str) -> None:
    assert (ROOT / package / "__init__.py").exists(), f"{package} is listed in LAYERS but is not a package"


def test_every_top_level_package_is_in_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - {"tests"} <= set(LAYER_OF), f"packages outside the layers: {packages - set(LAYER_OF)}"


def test_nothing_below_the_application_reads_the_environment() -> None:
    readers = defaultdict(list)
    for module, path in _modules().items():
        if _package(module) in ("policywatch", "bench", "tools"):
            continue
        source = path.read_text(encoding="utf-8")
        for needle in ("os.environ", "os.getenv", "getenv("):
            if needle in source:
                readers[module].append(needle)
    assert not readers, f"modules below the application that read the environment: {dict(readers)}"
