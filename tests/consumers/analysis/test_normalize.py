from consumers.analysis import analyze
from consumers.analysis.cleaning import clean_text
from zhtext.docnumbers import normalize_doc_number
from zhtext.normalize import matching_form, squash

from .conftest import analysed


def test_doc_number_brackets_and_spaces_are_normalised():
    assert normalize_doc_number("皖政[2001]85号") == "皖政〔2001〕85号"
    assert normalize_doc_number("苏府( 2021 ) 36 号") == "苏府〔2021〕36号"
    assert normalize_doc_number("国发〔2023 〕24 号") == "国发〔2023〕24号"
    assert normalize_doc_number("沈政办发（2018）144号") == "沈政办发〔2018〕144号"


def test_page_chrome_lines_are_removed_but_text_is_kept():
    raw = "正文第一段。\n分享到:微信 微博\n扫描二维码 关注我们\n责任编辑:张三\n本文链接:http://x\n联系电话:0519-85681234\n- 2020-08-12\n正文第二段。"
    assert clean_text(raw) == "正文第一段。\n正文第二段。"


def test_full_width_forms_fold_to_half_width():
    assert clean_text("（２０２４—２０２６年）　ＡＩ") == "(2024—2026年) AI"


def test_traditional_text_gets_simplified_title_for_matching():
    analysis = analysed("composed/c05_traditional_script.txt")
    assert analysis.title == "臺州市人民政府關於加快人工智能產業發展的實施意見"  # kept as printed
    assert matching_form(analysis.title) == "台州市人民政府关于加快人工智能产业发展的实施意见"
    assert analysis.region is not None and analysis.region.city == "台州市"
    assert analysis.doc_type == "实施意见" and analysis.ai.label == "yes"


def test_squash_makes_printed_variants_comparable():
    assert squash("宁波市行动方案(2019~2022年)") == squash("宁波市行动方案（2019—2022年）")
    assert squash("國發〔2017〕35號") == squash("国发[2017]35号")


def test_mis_encoded_spaces_do_not_leak_into_issuers():
    analysis = analyze("东阳市人民政府关于《东阳市推动人工智能创新发展行动方案》的通知\n各镇:\n现将《东阳市推动人工智能创新发展行动方案》印发给你们。\n东阳市人民政府? ??\n2026年1月15日? ?\n")
    assert analysis.issuers == ["东阳市人民政府"] and analysis.issue_date == "2026-01-15"
