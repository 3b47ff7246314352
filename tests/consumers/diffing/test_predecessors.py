"""A new plan is compared with the same region's earlier plans, never with other regions or notices."""

from __future__ import annotations

from typing import Any

from consumers.diffing import compare_with_predecessors, find_predecessors


def _target(metric: str, value: float, unit: str, year: int) -> dict[str, Any]:
    return {"text": "…", "metric": metric, "comparator": "超过", "value": value, "unit": unit, "year": year}


NEW_PLAN: dict[str, Any] = {
    "title": "深圳市新一代人工智能发展行动计划(2024-2026年)",
    "doc_type": "行动计划",
    "region": {"province": "广东省", "city": "深圳市", "district": None, "code": "440300"},
    "period": {"start": 2024, "end": 2026},
    "issue_date": "2024-03-01",
    "ai": {"label": "yes", "topics": ["大模型", "算力", "智能机器人"]},
    "targets": [_target("产业规模", 500, "亿元", 2026), _target("算力规模", 10, "EFLOPS", 2026)],
}


def _row(doc_id: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": doc_id,
        "title": "深圳市新一代人工智能发展行动计划(2019-2023年)",
        "doc_type": "行动计划",
        "region_code": "440300",
        "period": {"start": 2019, "end": 2023},
        "issue_date": "2019-05-14",
        "ai": {"topics": ["智能机器人", "芯片"]},
        "targets": [
            _target("产业规模", 100, "亿元", 2020),
            _target("产业规模", 300, "亿元", 2023),
            _target("创新载体", 20, "家", 2023),
        ],
    }
    row.update(overrides)
    return row


def test_earlier_plan_of_the_region_is_compared_target_by_target() -> None:
    (found,) = find_predecessors(NEW_PLAN, [_row(7)])
    assert found.document_id == 7
    by_metric = {t.metric: t for t in found.targets}
    scale = by_metric["产业规模"]
    assert (scale.kind, scale.before, scale.before_year, scale.after, scale.after_year) == (
        "changed",
        "300亿元",
        2023,
        "500亿元",
        2026,
    )
    assert by_metric["算力规模"].kind == "new"
    assert by_metric["创新载体"].kind == "dropped"
    assert found.new_topics == ("大模型", "算力")
    assert found.dropped_topics == ("芯片",)
    assert "产业规模 300亿元（2023年）→500亿元（2026年）" in found.headline


def test_other_regions_later_plans_and_notices_are_not_predecessors() -> None:
    rows = [
        _row(1, region_code="450200"),
        _row(2, period={"start": 2025, "end": 2027}, issue_date="2025-01-01"),
        _row(3, title="深圳市人民政府关于开展人工智能企业申报工作的通知", doc_type="通知"),
        _row(
            4,
            title="深圳市养老服务设施建设实施方案(2016-2020年)",
            doc_type="实施方案",
            period={"start": 2016, "end": 2020},
            ai={"topics": []},
        ),
    ]
    assert find_predecessors(NEW_PLAN, rows) == []


def test_predecessors_come_most_recent_first() -> None:
    older = _row(
        1,
        title="深圳市人工智能产业发展行动计划(2016-2018年)",
        period={"start": 2016, "end": 2018},
        issue_date="2016-02-01",
    )
    rows = [
        older,
        _row(2),
        _row(
            3,
            region={"code": "440300"},
            region_code=None,
            doc_type="规划",
            title="深圳市新一代人工智能发展规划",
            period=None,
            issue_date="2018-09-01",
        ),
    ]
    assert [p.document_id for p in find_predecessors(NEW_PLAN, rows)] == [2, 3, 1]


def test_stored_rows_with_nested_analysis_are_compared() -> None:
    nested = {
        "document_id": 9,
        "title": "深圳市新一代人工智能发展行动计划(2019-2023年)",
        "doc_type": "行动计划",
        "issue_date": "2019-05-14",
        "analysis": {**_row(9), "id": None},
    }
    (found,) = compare_with_predecessors(NEW_PLAN, [nested])
    assert found["document_id"] == 9
    assert {
        "metric": "产业规模",
        "before": "300亿元",
        "before_year": 2023,
        "after": "500亿元",
        "after_year": 2026,
        "kind": "changed",
    } in found["targets"]
    assert str(found["headline"]).startswith("对比前期规划《深圳市新一代人工智能发展行动计划(2019-2023年)》")


def test_a_renamed_metric_with_the_same_unit_is_still_compared() -> None:
    old = _row(
        5,
        targets=[_target("人工智能核心产业产值", 30, "亿元", 2020), _target("创新载体数量", 20, "家", 2020)],
    )
    new = {**NEW_PLAN, "targets": [_target("人工智能核心产业规模", 300, "亿元", 2026)]}
    (found,) = find_predecessors(new, [old])
    kinds = {(t.metric, t.kind, t.before, t.after) for t in found.targets}
    assert kinds == {
        ("人工智能核心产业规模", "changed", "30亿元", "300亿元"),
        ("创新载体数量", "dropped", "20家", None),
    }
