"""Rules for the noise of real re-posted pages (the 40 real texts d26–d65 revealed each class): every test
composes its own small text, so the general rule is checked rather than the page that showed the gap."""

from consumers.analysis import analyze
from consumers.analysis.cleaning import clean_text


def test_bracketed_pinyin_glosses_are_dropped_but_latin_in_brackets_is_kept():
    assert clean_text("某某省人民政府關(guān)于印發(fā)《某某方案》的通知") == "某某省人民政府關于印發《某某方案》的通知"
    assert clean_text("社會(huì )治理,推廣AI(人工智能)與VOCs(vocs)治理") == "社會治理,推廣AI(人工智能)與VOCs(vocs)治理"
    text = ("某某省人民政府關(guān)于印發(fā)《某某省數(shù)據(jù)條例實施方案》的通知\n某政發(fā)〔2024〕3號\n各市人民政府：\n"
            "現(xiàn)將《某某省數(shù)據(jù)條例實施方案》印發(fā)給你們。\n某某省人民政府\n2024年3月1日\n")
    analysis = analyze(text)
    assert analysis.doc_number == "某政發〔2024〕3號" and analysis.issuers == ["某某省人民政府"]
    assert analysis.title == "某某省數據條例實施方案"


def test_letter_spaced_signature_lines_are_closed_up():
    assert clean_text("科 技 部\n中 共 某 市 委   某 市 人 民 政 府") == "科技部\n中共某市委   某市人民政府"
    assert clean_text("一 、总体要求") == "一 、总体要求"
