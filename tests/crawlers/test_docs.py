"""crawlers/README.md stays honest: it documents every key of the source schema with its real default,
every verification status, layout and crawl outcome the code knows, and what it cites exists."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from crawlers import catalog
from crawlers.catalog import PACKAGE_SOURCES_DIR, Verification, _SourceFile, parse_source_file

REPO = Path(__file__).resolve().parents[2]
README = REPO / "crawlers" / "README.md"
TEXT = README.read_text(encoding="utf-8")
TEST_SOURCES_DIR = Path(__file__).resolve().parent / "sources"
SIMULATOR_URL = "http://127.0.0.1:9"

# The source-schema models the brief names; the test also finds any table added to _SourceFile later.
NAMED_MODELS = (
    "LinkRules",
    "JsonRules",
    "Pagination",
    "DetailHints",
    "EncodingHints",
    "Schedule",
    "Verification",
)


# --- reading the README ---------------------------------------------------------------------------


def sections() -> list[tuple[str, str]]:
    """(heading, body) for every Markdown heading outside code blocks."""
    found: list[tuple[str, list[str]]] = []
    in_code = False
    for line in TEXT.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and re.match(r"#{1,6} ", line):
            found.append((line, []))
        elif found:
            found[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in found]


def section(containing: str) -> str:
    matches = [body for heading, body in sections() if containing in heading]
    assert len(matches) == 1, f"crawlers/README.md: expected one heading containing {containing!r}"
    return matches[0]


def cells(line: str) -> list[str]:
    """Cells of a Markdown table row (a pipe escaped as ``\\|`` stays inside its cell)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def first_table(body: str) -> dict[str, list[str]]:
    """The first table of a section, keyed by its first cell with the backticks removed."""
    rows: dict[str, list[str]] = {}
    started = False
    for line in body.splitlines():
        if line.startswith("|"):
            started = True
            row = cells(line)
            if row and re.fullmatch(r"`[^`]+`", row[0]):
                rows[row[0].strip("`")] = row
        elif started:
            break
    return rows


# --- the schema -----------------------------------------------------------------------------------


def toml_key(name: str, info: FieldInfo) -> str:
    return info.alias or name


def nested_model(info: FieldInfo) -> type[BaseModel] | None:
    annotation = info.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def schema_tables() -> list[tuple[str, type[BaseModel]]]:
    """(heading text, model): the top-level keys, then one ``[table]`` per nested model."""
    tables: list[tuple[str, type[BaseModel]]] = [("Top-level keys", _SourceFile)]
    for name, info in _SourceFile.model_fields.items():
        model = nested_model(info)
        if model is not None:
            tables.append((f"`[{toml_key(name, info)}]`", model))
    return tables


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | list):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def documented_default(info: FieldInfo) -> str | None:
    """What the default cell must say; None for a nested table (described in words).

    A key whose default is unset (None: TOML has no null) is documented as "unset"."""
    if info.is_required():
        return "required"
    if nested_model(info) is not None:
        return None
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if value is None:
        return "unset"
    return f"`{toml_literal(value)}`"


def test_the_named_source_schema_models_are_all_tables_of_the_source_file():
    models = {model.__name__ for _, model in schema_tables()}
    assert set(NAMED_MODELS) | {"_SourceFile"} == models
    for name in NAMED_MODELS:
        assert issubclass(getattr(catalog, name), BaseModel)


@pytest.mark.parametrize(
    ("heading", "model"), schema_tables(), ids=lambda value: getattr(value, "__name__", value)
)
def test_every_key_is_documented_in_its_table_with_its_default(heading, model):
    rows = first_table(section(heading))
    keys = {toml_key(name, info): info for name, info in model.model_fields.items()}
    missing = sorted(set(keys) - set(rows))
    assert not missing, f"crawlers/README.md section {heading}: keys not documented: {missing}"
    invented = sorted(set(rows) - set(keys))
    assert not invented, f"crawlers/README.md section {heading}: keys the schema does not have: {invented}"
    for key, info in keys.items():
        assert f"`{key}`" in TEXT
        row = rows[key]
        assert len(row) == 4 and all(row), f"{heading} `{key}`: expected | key | type | default | meaning |"
        expected = documented_default(info)
        if expected is not None:
            assert row[2] == expected, f"{heading} `{key}`: default is {expected}, README says {row[2]}"
        if info.description:
            # A described field's meaning carries its description in catalog.py (up to a ';' or '(').
            described = info.description.split(";")[0].split("(")[0].strip().rstrip(".")
            assert described in row[3].replace("`", ""), (
                f"{heading} `{key}`: meaning should say {described!r}"
            )


# --- source files and verification statuses --------------------------------------------------------


def source_files() -> list[Path]:
    return sorted([*PACKAGE_SOURCES_DIR.rglob("*.toml"), *TEST_SOURCES_DIR.rglob("*.toml")])


def explained_statuses() -> dict[str, list[str]]:
    return first_table(section("Verification statuses"))


def test_every_status_the_schema_allows_is_explained_and_nothing_else():
    allowed = set(typing.get_args(Verification.model_fields["status"].annotation))
    assert set(explained_statuses()) == allowed


def test_there_are_source_files_to_check():
    files = source_files()
    assert any("real" in path.parts for path in files)
    assert any("simulated" in path.parts for path in files)


@pytest.mark.parametrize("path", source_files(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_source_file_parses_and_its_status_is_explained(path):
    source = parse_source_file(path, SIMULATOR_URL)
    assert source is not None, f"{path}: skipped even with a simulator URL"
    statuses = explained_statuses()
    status = source.verification.status
    assert status in statuses, f"{path}: status {status!r} is not explained in crawlers/README.md"
    assert statuses[status][1], f"status {status!r} has no explanation"


# --- layouts, outcomes, examples and references ------------------------------------------------------


@pytest.mark.parametrize("layout", typing.get_args(catalog.Layout))
def test_every_layout_has_its_section(layout):
    assert section(f"`{layout}`")


def test_every_crawl_outcome_of_the_runner_is_explained():
    runner = (REPO / "crawlers" / "runner.py").read_text(encoding="utf-8")
    outcomes = set(re.findall(r'CrawlResult\(\s*source_id,\s*(?:True|False),\s*"(\w+)"', runner))
    assert {"ok", "partial", "config_error"} <= outcomes
    assert set(first_table(section("outcomes"))) == outcomes


def toml_examples() -> list[str]:
    blocks = re.findall(r"```toml\n(.*?)```", TEXT, flags=re.S)
    return [block for block in blocks if re.search(r"^id = ", block, flags=re.M)]


@pytest.mark.parametrize("number", range(len(toml_examples())))
def test_complete_toml_examples_are_valid_source_files(tmp_path, number):
    path = tmp_path / "example.toml"
    path.write_text(toml_examples()[number], encoding="utf-8")
    assert parse_source_file(path, SIMULATOR_URL) is not None


def test_there_is_an_example_for_every_layout():
    layouts = {re.search(r'^layout = "(\w+)"', block, flags=re.M).group(1) for block in toml_examples()}  # type: ignore[union-attr]
    assert layouts == set(typing.get_args(catalog.Layout))


def test_cited_tests_exist():
    cited = set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", TEXT))
    assert cited
    for file, name in sorted(cited):
        path = REPO / file
        assert path.is_file(), f"crawlers/README.md cites a missing file {file}"
        assert re.search(rf"^def {name}\(", path.read_text(encoding="utf-8"), flags=re.M), f"{file}::{name}"


def github_anchor(heading: str) -> str:
    title = heading.lstrip("#").strip().lower()
    return re.sub(r"[^\w\- ]", "", title).replace(" ", "-")


def test_links_and_anchors_resolve():
    anchors = {github_anchor(heading) for heading, _ in sections()}
    for target in re.findall(r"\]\(([^)\s]+)\)", TEXT):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        if path:
            assert (README.parent / path).exists(), f"crawlers/README.md links to a missing {path}"
        elif anchor:
            assert anchor in anchors, f"crawlers/README.md links to a missing heading #{anchor}"
