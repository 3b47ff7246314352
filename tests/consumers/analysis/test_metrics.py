"""Targets comparable across regions: canonical metrics, normalised units, the object named otherwise."""

import pytest

from consumers.analysis import analyze
from consumers.analysis.metrics import canonical_metric, metric_of, normalize
from consumers.analysis.targets import extract_targets


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1.2, "万亿元", (12000, "亿元")),
        (500, "万元", (0.05, "亿元")),
        (30, "亿", (30, "亿元")),
        (5, "EFLOPS", (5000, "PFLOPS")),
        (800, "PFlops", (800, "PFLOPS")),
        (200, "TFLOPS", (0.2, "PFLOPS")),
        (3, "万家", (30000, "家")),
        (0.8, "万人", (8000, "人")),
        (5, "万名", (50000, "人")),
        ("2-3", "万个", ("20000-30000", "个")),
        (60, "%", (60, "%")),
        (10, "亿美元", (10, "亿美元")),
    ],
)
def test_units_are_normalised_to_one_unit_per_dimension(value, unit, expected):
    assert normalize(value, unit) == expected


@pytest.mark.parametrize(
    ("wording", "unit", "metric"),
    [
        ("人工智能核心产业产值", "亿元", "人工智能核心产业规模"),
        ("核心产业营业收入规模", "亿元", "人工智能核心产业规模"),
        ("带动相关产业规模", "亿元", "带动相关产业规模"),
        ("人工智能关联产业规模", "亿元", "带动相关产业规模"),
        ("全省智算服务规模", "PFlops", "智能算力规模"),
        ("算力总规模", "EFLOPS", "算力规模"),
        ("细分领域龙头企业数量", "家", "龙头企业数量"),
        ("国家高新技术企业数量", "家", "高新技术企业数量"),
        ("人工智能企业数量", "家", "人工智能企业数量"),
        ("技术引领型研究机构数量", "家", "创新平台数量"),
        ("人工智能深度应用场景数量", "个", "应用场景数量"),
        ("行业领先的垂直大模型数量", "个", "大模型数量"),
        ("人工智能方向基金规模", "亿元", "基金规模"),
        ("人工智能产业人才", "人", "人才数量"),
        ("重点行业人工智能应用普及率", "%", "人工智能应用普及率"),
    ],
)
def test_wordings_map_onto_the_canonical_vocabulary(wording, unit, metric):
    assert canonical_metric(wording, unit) == metric


def test_a_bare_industry_size_is_the_plans_own_industry_only_in_an_ai_plan():
    assert canonical_metric("产业规模", "亿元", subject="人工智能") == "人工智能产业规模"
    assert canonical_metric("产业规模", "亿元") is None
    assert metric_of("产业规模", "亿元") == "产业规模"


def test_without_a_canonical_metric_the_counted_object_is_named_never_the_verb():
    assert metric_of("数据标注基地", "个") == "产业园区和基地数量"
    assert metric_of("培育具有国际影响力的示范街区", "个") == "示范街区数量"
    found = extract_targets("到2025年，培育5家以上具有国际影响力的领军企业，新建10家以上创新载体，组织实施20个以上重大科技项目，"
                            "构建30个以上高质量行业数据集和5个左右先进可用的行业大模型。")
    assert [(t.metric, t.value) for t in found] == [("龙头企业数量", 5), ("创新平台数量", 10), ("重点项目数量", 20),
                                                   ("数据集数量", 30), ("大模型数量", 5)]


def test_target_records_keep_the_printed_text_value_and_unit_and_add_the_normalised_ones():
    text = ("某某市人工智能产业发展行动计划\n一、发展目标\n到2027年，人工智能产业规模超万亿元，智能算力规模达到20EFLOPS，"
            "新一代智能终端、智能体等应用普及率70%以上，人工智能企业数量突破3万家。\n")
    records = [t.to_dict() for t in analyze(text).targets]
    assert [(r["metric"], r["value"], r["unit"], r["value_normalized"], r["unit_normalized"]) for r in records] == [
        ("人工智能产业规模", 1, "万亿元", 10000, "亿元"),
        ("智能算力规模", 20, "EFLOPS", 20000, "PFLOPS"),
        ("人工智能应用普及率", 70, "%", 70, "%"),
        ("人工智能企业数量", 3, "万家", 30000, "家"),
    ]
    assert records[0]["text"] == "人工智能产业规模超万亿元" and records[0]["wording"] == "人工智能产业规模"
    assert {"text", "metric", "comparator", "value", "unit", "year", "wording", "value_normalized",
            "unit_normalized"} == set(records[0]) and records[0]["year"] == 2027
