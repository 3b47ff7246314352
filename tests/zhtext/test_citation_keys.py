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
