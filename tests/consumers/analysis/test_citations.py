from consumers.analysis.citations import extract_citations, link
from zhtext.normalize import squash

from .conftest import analysed


def test_titles_and_doc_numbers_printed_together_are_paired():
    analysis = analysed("seeds/003_7280d984ce98fe0b.txt")
    pairs = [(c.title, c.doc_number) for c in analysis.citations]
    assert ("新一代人工智能发展规划", "国发〔2017〕35号") in pairs
    assert ("促进新一代人工智能产业发展三年行动计划(2018-2020年)", "工信部科〔2017〕315号") in pairs


def test_own_title_and_doc_number_are_not_citations():
    analysis = analysed("seeds/001_1b4b1833641e6e95.txt")
    assert all(c.doc_number != "沈政办发〔2018〕144号" for c in analysis.citations)
    assert all(c.title != "沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)" for c in analysis.citations)


def test_doc_numbers_with_a_lost_bracket_are_repaired():
    analysis = analysed("labeled/d08.json")  # 国发〔201735号, 工信部科〔2017315号
    numbers = {c.doc_number for c in analysis.citations}
    assert {"国发〔2017〕35号", "工信部科〔2017〕315号", "吉政发〔2017〕34号"} <= numbers


def test_nested_title_marks_stay_inside_the_cited_title():
    found = extract_citations("根据《湖南省人民政府关于印发〈湖南省实施方案〉的通知》(湘政发〔2025〕7号)要求。")
    assert [(c.title, c.doc_number) for c in found] == [("湖南省人民政府关于印发〈湖南省实施方案〉的通知", "湘政发〔2025〕7号")]


def test_link_attaches_known_document_ids():
    found = link(extract_citations("贯彻《新一代人工智能发展规划》(国发[2017]35号)。"), {squash("国发〔2017〕35号"): "doc-1"})
    assert found[0].linked_id == "doc-1"


def test_issued_aliased_undocumented_and_own_garbled_titles_are_not_citations():
    text = ("各县(区)人民政府：\n《某某市低空经济行动计划》《某某市低空经济若干措施》已经市政府同意，现印发给你们。\n"
            "我们制定了《某某市健康城市实施方案》。现印发给你们，请认真执行。\n"
            "春节档电影《流浪地球2》带火了机器人。根据《某某省低空经济条例》，制定本计划(以下简称《行动计划》)。\n"
            "附件：某某市数字乡村规划(2019 2021 年)(征求意见稿)《某某市数字乡村规划(2019 2021 年)》\n")
    cited = [c.title for c in extract_citations(text, None, ("某某市数字乡村规划(2019—2021年)",)) if c.title]
    assert cited == ["某某省低空经济条例"]


def test_government_orders_and_lead_words_of_doc_numbers_are_read():
    text = "按照《某某市停车管理办法》(2015年市人民政府令第16号)执行。该计划由教育部以教技〔2018〕3号印发。"
    numbers = [c.doc_number for c in extract_citations(text) if c.doc_number]
    assert numbers == ["2015年市人民政府令第16号", "教技〔2018〕3号"]
