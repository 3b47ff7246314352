import pytest

from consumers.analysis.targets import extract_targets, parse_number


@pytest.mark.parametrize(
    ("text", "wording", "comparator", "value", "unit", "year"),
    [
        ("到2020年,产业规模超过300亿元。", "产业规模", ">", 300, "亿元", 2020),
        ("到2020年,集聚千亿级人工智能产业。", "人工智能产业", "~", 1000, "亿元", 2020),
        ("到2020年,集聚万人级别的人工智能产业人才。", "人工智能产业人才", "~", 10000, "人", 2020),
        ("到2025年,新增产值占比不少于1/3。", "新增产值占比", ">=", 0.3333, "", 2025),
        ("到2025年,单个项目投资额达到80万至100万元。", "单个项目投资额", "range", "80-100", "万元", 2025),
        ("到2025年,研发投入年均增长10-30%。", "研发投入年均", "range", "10-30", "%", 2025),
        ("到2025年,培育骨干企业二十家以上。", "骨干企业数量", ">=", 20, "家", 2025),
        ("到2027年,全市智能算力规模达3EFlops。", "智能算力规模", "=", 3, "EFlops", 2027),
        ("到2026年年底,力争形成2—3个先进可用的基础大模型。", "先进可用的基础大模型数量", "range", "2-3", "个", 2026),
        ("到2025年,覆盖率达到百分之三十。", "覆盖率", "=", 30, "%", 2025),
    ],
)
def test_target_forms_are_parsed_into_records(text, wording, comparator, value, unit, year):
    found = extract_targets(text)
    assert len(found) == 1, found
    target = found[0]
    assert (target.wording, target.comparator, target.value, target.unit, target.year) == (wording, comparator, value, unit, year)


def test_subsidy_amounts_and_goals_without_a_year_are_not_targets():
    text = "对单个项目给予最高不超过1000万元支持。\n支持建设创新平台10个。"
    assert extract_targets(text) == []


def test_year_carries_into_a_dash_list_but_not_past_the_next_heading():
    text = "到2026年,全市产业总体水平处于全国前列。\n——创新能力。打造5个以上创新平台。\n二、重点任务\n建设10个以上示范园区。"
    found = extract_targets(text)
    assert [(t.value, t.unit, t.year) for t in found] == [(5, "个", 2026)]


def test_one_metric_with_several_values_gives_several_targets():
    text = "到2020年,主要污染物排放总量比2015年分别下降15%、10%和26%。"
    assert [t.value for t in extract_targets(text)] == [15, 10, 26]


def test_parse_number_uses_cn2an_only_for_the_numeral_part():
    assert parse_number("三分之一") == 0.3333
    assert parse_number("2—3") == "2-3"
    assert parse_number("一百二十") == 120
    assert parse_number("5.25") == 5.25
