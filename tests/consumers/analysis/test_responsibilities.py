from consumers.analysis.outline import parse_outline
from consumers.analysis.responsibilities import extract_responsibilities

from .conftest import analysed


def test_lead_and_support_units_attach_to_their_clause():
    analysis = analysed("seeds/000_fb4ee9a1d35412b6.txt")
    first = analysis.responsibilities[0]
    assert first.clause_id == "4.1.1"
    assert first.lead == ["区委组织部", "工科信局"] and first.support == ["投促局"]


def test_bracketed_responsible_departments_keep_nested_parentheses():
    analysis = analysed("seeds/001_1b4b1833641e6e95.txt")
    record = next(r for r in analysis.responsibilities if "市委组织部(市人才办)" in r.responsible)
    assert record.clause_id == "2.1.3"


def test_verbal_lead_and_participate_forms():
    text = "一、工作任务\n1.制定准入清单。完成编制工作。(市生态环境局、市场监管局牵头,市发展和改革局、工业和信息化局参与)"
    records = extract_responsibilities(text, parse_outline(text))
    assert len(records) == 1 and records[0].clause_id == "1.1"
    assert records[0].lead == ["市生态环境局", "市场监管局"]
    assert records[0].support == ["市发展和改革局", "工业和信息化局"]


def test_parentheses_without_duty_words_are_ignored():
    text = "一、目标\n建设创新平台(含重点实验室)。"
    assert extract_responsibilities(text, parse_outline(text)) == []
