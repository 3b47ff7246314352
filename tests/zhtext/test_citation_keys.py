"""A citation and the stored document it names meet on one key, whatever script and brackets were printed."""

from __future__ import annotations

from zhtext.docnumbers import doc_number_key
from zhtext.titles import title_key


def test_doc_number_key_ignores_script_brackets_and_spaces() -> None:
    canonical = "国发〔2017〕35号"
    for printed in ("國發[2017]35號", "国发（2017）35号", "国发 〔2017〕 35 号", "国发[2017]035号"):
        assert doc_number_key(printed) == canonical, printed
    assert doc_number_key("没有文号的一段话") is None and doc_number_key(None) is None


def test_title_key_ignores_covering_notice_issuer_prefix_marks_and_script() -> None:
    plan = title_key("新一代人工智能发展规划")
    assert title_key("《新一代人工智能发展规划》") == plan
    assert title_key("国务院关于印发《新一代人工智能发展规划》的通知") == plan
    assert title_key("新一代人工智慧發展規劃") != plan  # 智慧 is another word, not another script
    assert title_key("新一代人工智能發展規劃") == plan
    measures = "加快推动人工智能高质量发展的若干措施"
    assert title_key("深圳市人民政府办公厅关于加快推动人工智能高质量发展的若干措施") == title_key(measures)
    assert title_key("") == "" and title_key(None) == ""


def test_doc_number_key_meets_every_printed_form_of_one_number() -> None:
    canonical = "国发〔2017〕35号"
    for printed in ("國(guó)發〔2017〕35號", "国发【2017】35号", "国发﹝2017﹞35号", "国发〔2017〕第35号", "国发２０１７〕３５号",
                    "国发〔201735号", "国发?2017?35号", "根据国发〔2017〕35号", "由国务院以国发〔2017〕35号"):
        assert doc_number_key(printed) == canonical, printed
    assert doc_number_key("和政发〔2020〕3号") == "和政发〔2020〕3号"  # 和田: a prefix that starts like a conjunction
    assert doc_number_key("粤府办〔2019〕1号") != doc_number_key("粤府办〔2019〕11号")


def test_title_key_meets_a_citation_in_every_form_it_takes() -> None:
    plan = title_key("新一代人工智能发展规划")
    for cited in ("国务院关于印发新一代人工智能发展规划的通知", "國務院關於印發《新一代人工智能發展規劃》的通知",
                  "国(guó)务院关于印发新一代人工智能发展规划的通知", "《新一代人工智能发展规划》。",
                  "《国务院关于印发新一代人工智能发展规划的通知》"):
        assert title_key(cited) == plan, cited
    opinion = title_key("关于切实解决老年人运用智能技术困难的实施方案")
    assert title_key("国务院办公厅印发关于切实解决老年人运用智能技术困难实施方案的通知") == opinion
    assert title_key("关于切实解决老年人运用智能技术困难的实施方案") == title_key("切实解决老年人运用智能技术困难的实施方案")
    parking = title_key("天津市停车设施建设及秩序管理实施方案")
    assert title_key("天津市人民政府办公厅关于转发市交通运输委市公安局拟定的天津市停车设施建设及秩序管理实施方案的通知") == parking
    forwarded = title_key("关于加快发展数字经济的意见")
    assert title_key("某某市人民政府办公室关于转发市发展改革委关于加快发展数字经济的意见的通知") == forwarded
    assert title_key("关于转发区科委制订的《徐汇区关于建设人工智能产业集聚区的实施意见》的通知") == title_key(
        "徐汇区关于建设人工智能产业集聚区的实施意见")
    period = title_key("某某市“人工智能+”行动方案(2024—2026年)")
    for printed in ("某某市“人工智能+”行动方案（2024-2026年）", "某某市\"人工智能+\"行动方案(2024~2026)", "某某市人工智能+行动方案(2024－2026年)"):
        assert title_key(printed) == period, printed
    assert title_key("某某市行动方案(2021-2023年)") != title_key("某某市行动方案(2024-2026年)")
    assert title_key("关于印发〈某某省促进数据产业发展若干政策〉实施细则的通知") == title_key("《某某省促进数据产业发展若干政策》实施细则")
