"""Change significance on real plans with hand-made edits: a moved comma is editorial, a doubled target major."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from consumers.analysis import analyze
from consumers.diffing import diff_versions
from consumers.significance import grade_new, grade_removal, grade_revision
from core.significance import at_least

MINHANG = "003_7280d984ce98fe0b.txt"
NANSHA = "000_fb4ee9a1d35412b6.txt"


@cache
def _analysis(text: str) -> dict[str, Any]:
    return analyze(text).to_dict()  # type: ignore[return-value]


def graded(old: str, new: str) -> dict[str, Any]:
    old_analysis, new_analysis = _analysis(old), _analysis(new)
    diff = diff_versions(old, new, old_analysis, new_analysis)
    assert not diff.is_trivial
    return grade_revision(diff, old_analysis, new_analysis)


@pytest.fixture(scope="module")
def minhang(shared_dir: Path) -> str:
    return (shared_dir / "seeds" / MINHANG).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def nansha(shared_dir: Path) -> str:
    return (shared_dir / "seeds" / NANSHA).read_text(encoding="utf-8")


def test_moved_comma_is_editorial(minhang: str) -> None:
    edited = minhang.replace("经过排摸梳理,闵行区", "经过排摸,梳理闵行区", 1)
    assert edited != minhang
    result = graded(minhang, edited)
    assert result["grade"] == "editorial"
    assert result["reasons"][0].startswith("标点调整 punctuation")


def test_raised_industry_target_is_major_and_names_metric_values_and_year(minhang: str) -> None:
    edited = minhang.replace("产业规模超过250亿元", "产业规模超过500亿元", 1)
    result = graded(minhang, edited)
    assert result["grade"] == "major"
    first = result["reasons"][0]
    assert first.startswith("目标变化 target changed")
    assert "250亿元 → 500亿元" in first and "2020年" in first
    assert len(result["reasons"]) == 1  # the target's own figure is not repeated as an amount or a wording edit


def test_hundred_to_two_hundred_yi_target_is_major(nansha: str) -> None:
    edited = nansha.replace("业规模超过300亿元", "业规模超过600亿元", 1)
    result = graded(nansha, edited)
    assert result["grade"] == "major"
    assert any("300亿元 → 600亿元" in reason for reason in result["reasons"])


def test_encourage_becoming_shall_is_substantive(minhang: str) -> None:
    edited = minhang.replace("鼓励行业领军企业", "应当行业领军企业", 1)
    result = graded(minhang, edited)
    assert result["grade"] == "substantive"
    assert any("鼓励 → 应当" in reason for reason in result["reasons"])


def test_changed_lead_unit_is_substantive(nansha: str) -> None:
    edited = nansha.replace("牵头单位:区人社局", "牵头单位:区教育局", 1)
    result = graded(nansha, edited)
    assert result["grade"] == "substantive"
    assert any(reason.startswith("责任单位变化") for reason in result["reasons"])


def test_one_character_typo_is_editorial(minhang: str) -> None:
    edited = minhang.replace("概念验证", "概念检证", 1)
    result = graded(minhang, edited)
    assert result["grade"] == "editorial"
    assert "验→检" in result["reasons"][0]


def test_reworded_phrase_is_wording(minhang: str) -> None:
    edited = minhang.replace("共同开展", "一起开展", 1)
    assert graded(minhang, edited)["grade"] == "wording"


def test_new_clause_with_a_target_is_major(minhang: str) -> None:
    edited = minhang.replace(
        "产业规模超过250亿元,", "产业规模超过250亿元,\n到2020年，智能算力规模达到500PFLOPS以上，建成智算中心3个。\n", 1
    )
    result = graded(minhang, edited)
    assert result["grade"] == "major"


def test_new_and_removed_documents_are_major_and_minimum_filters(minhang: str) -> None:
    new = grade_new(_analysis(minhang))
    assert new["grade"] == "major" and "5项量化目标" in new["reasons"][0]
    assert grade_removal("missing")["grade"] == "major"
    editorial = {"significance": {"grade": "editorial"}}
    assert not at_least(editorial, "wording")
    assert at_least({"significance": new}, "substantive")
    assert at_least({}, "major")  # changes stored before grading are never filtered out
