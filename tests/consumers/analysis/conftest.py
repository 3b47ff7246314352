"""Fixtures for the analysis tests: paths to the labeled set and a cached analysis per fixture file."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from consumers.analysis import Analysis, analyze, analyze_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "analysis"


@cache
def analysed(relative: str) -> Analysis:
    """Analysis of a fixture file (labeled JSON records by their text, other files by path)."""
    path = FIXTURES / relative
    if path.suffix == ".json" and path.parent.name == "labeled":
        return analyze(json.loads(path.read_text(encoding="utf-8"))["text"])
    return analyze_path(path)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
