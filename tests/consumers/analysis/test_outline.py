from consumers.analysis.outline import attachments, parse_outline

from .conftest import analysed

PLAN = """一、总体要求
(一)指导思想。坚持创新驱动。
(二)发展目标。到2025年,产业规模超过100亿元。
二、重点任务
(一)夯实基础
1.建设算力平台。推进智算中心建设。
2.开放公共数据。建立数据开放机制。
专栏1 重点工程
(二)壮大产业
3.培育龙头企业。
三、保障措施
附件:1.重点任务分工表
2.重点项目清单
"""


def _ids(clauses):
    return [c.id for root in clauses for c in root.walk()]


def test_outline_ids_follow_the_numbering_path():
    clauses = parse_outline(PLAN)
    assert _ids(clauses) == ["1", "1.1", "1.2", "2", "2.1", "2.1.1", "2.1.2", "box1", "2.2", "2.2.3", "3"]
    item = clauses[1].children[0].children[0]
    assert (item.label, item.heading) == ("1.", "建设算力平台") and "智算中心" in item.text


def test_outline_ids_survive_a_small_wording_edit():
    edited = PLAN.replace("推进智算中心建设。", "推进智算中心和超算中心建设。").replace("培育龙头企业", "培育领军企业")
    before, after = parse_outline(PLAN), parse_outline(edited)
    assert _ids(before) == _ids(after)
    keys_before = {c.id: c.key for r in before for c in r.walk()}
    keys_after = {c.id: c.key for r in after for c in r.walk()}
    assert keys_before["2.1.1"] == keys_after["2.1.1"]  # heading unchanged → same alignment key
    assert keys_before["2.2.3"] != keys_after["2.2.3"]


def test_attachment_list_is_read_and_kept_out_of_the_clause_tree():
    assert attachments(PLAN) == ["重点任务分工表", "重点项目清单"]
    assert "重点项目清单" not in {c.heading for r in parse_outline(PLAN) for c in r.walk()}


def test_items_numbered_across_subsections_stay_in_the_tree():
    analysis = analysed("seeds/000_fb4ee9a1d35412b6.txt")
    ids = _ids(analysis.outline)
    assert "4.3.9" in ids and "5.4.21" in ids  # 9. under (三), 21. under (四)
    assert [a["name"] for a in analysis.attachments] == ["广州南沙人工智能产业发展任务分工表", "广州南沙人工智能产业发展2018年重点应用领域"]


def test_chapter_and_article_structure():
    text = "第一章 总则\n第一条 为了规范管理,制定本办法。\n第二条 本办法适用于全市。\n第二章 附则\n第三条 本办法自发布之日起施行。"
    clauses = parse_outline(text)
    assert [c.id for c in clauses] == ["ch1", "ch2"]
    assert [c.id for c in clauses[0].children] == ["art1", "art2"] and clauses[1].children[0].id == "art3"
