import json

import pytest

from consumers.analysis import analyze
from consumers.analysis.page import extract_page
from zhtext.decoding import decode_bytes

from .conftest import analysed


def _page(shared_dir, name):
    return (shared_dir / "realpages" / name).read_text(encoding="utf-8")


def test_gov_cn_table_fragment_gives_the_disclosure_fields(shared_dir):
    page = extract_page(_page(shared_dir, "dev02_www.gov.cn_zhengce_content_5365945_FRAGMENT.html"))
    assert page.fields["index_no"] == "000014349/2019-00007"
    assert page.fields["issuer"] == "国务院" and page.fields["doc_number"] == "国发〔2019〕5号"
    assert page.fields["issue_date"] == "2019年01月27日" and page.fields["publish_date"] == "2019年02月15日"
    assert page.fields["category"] == "市场监管、安全生产监管\\工商"
    assert page.text.startswith("国务院关于在市场监管领域全面推行")


def test_trs_page_with_two_closing_html_tags_keeps_the_article(shared_dir):
    html = _page(shared_dir, "dev01_www.gov.cn_gongbao_2007-23_npc-decision.html")
    page = extract_page(html)
    assert page.title == "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议"
    assert "批准发行15500亿元特别国债" in page.text
    analysis = analyze(html=html)
    assert analysis.issuers == ["全国人民代表大会常务委员会"] and analysis.admin_level == "national"
    assert analysis.issue_date == "2007-06-29" and analysis.publish_date == "2007-08-20"


def test_template_alt_attributes_are_never_read(shared_dir):
    page = extract_page(_page(shared_dir, "dev04_www.shanxi.gov.cn_sxyw_t20190918_693227.html"))
    assert page.title == "山西品牌丝路行(南美站)正式启动"
    assert page.fields["publish_date"].startswith("2019-09-18") and page.fields["source"] == "山西日报"
    assert "2017-11-08" not in json.dumps(page.fields, ensure_ascii=False)
    assert "省政府办公厅" not in json.dumps(page.fields, ensure_ascii=False)


def test_notice_with_annexed_regulation_splits_notice_and_policy(shared_dir):
    analysis = analyze(html=_page(shared_dir, "dev03_www.gov.cn_zhengce_content_5351181_FRAGMENT.html"))
    assert analysis.title == "个人所得税专项附加扣除暂行办法"
    assert analysis.notice_title == "国务院关于印发个人所得税专项附加扣除暂行办法的通知"
    assert analysis.doc_type == "办法" and analysis.doc_number == "国发〔2018〕41号"
    assert analysis.outline[0].id == "ch1" and analysis.outline[0].children[0].id == "art1"


@pytest.mark.parametrize(
    "name",
    ["dev05_sthjt.jiangxi.gov.cn_col42150_list.html", "dev06_gxt.jiangsu.gov.cn_col80179_dataproxy_page_1.xml",
     "dev10_gxt.jiangsu.gov.cn_col80179_dataproxy_page_5.xml"],
)
def test_list_pages_and_xml_paging_data_parse_without_error(shared_dir, name):
    page = extract_page(_page(shared_dir, name))
    analysis = analyze(html=_page(shared_dir, name))
    assert isinstance(page.text, str) and analysis.to_dict()["ai"]["label"] in ("yes", "borderline", "no")


def test_hanweb_xml_records_keep_their_titles(shared_dir):
    page = extract_page(_page(shared_dir, "dev06_gxt.jiangsu.gov.cn_col80179_dataproxy_page_1.xml"))
    assert "省政府办公厅印发关于进一步支持专精特新中小企业高质量发展若干政策措施的通知" in page.text


def test_crawler_body_fragments_give_info_table_and_attachments(shared_dir):
    records = json.loads((shared_dir / "realpages" / "dev11_www.nea.gov.cn_crawler-output.json").read_text(encoding="utf-8"))
    record = next(r for r in records if "000019705/2025-000315" in r["body_html"])
    page = extract_page(record["body_html"], url=record["url"])
    assert page.fields["index_no"] == "000019705/2025-000315" and page.fields["issue_date"] == "2025-10-09"
    assert page.attachments and page.attachments[0]["name"].endswith(".docx")
    assert page.attachments[0]["url"].startswith("https://www.nea.gov.cn/")
    analysis = analyze(html=record["body_html"], url=record["url"])
    assert analysis.doc_number == "国能发资质〔2025〕85号" and analysis.admin_level == "national"


def test_hints_select_body_and_title(shared_dir):
    html = "<html><body><h1>网站首页</h1><div class='x'><p>各区人民政府:</p><p>现将《某区人工智能行动方案》印发给你们。</p></div><div class='t'>某区人工智能行动方案</div></body></html>"
    page = extract_page(html, hints={"body_css": "div.x", "title_css": "div.t"})
    assert page.title == "某区人工智能行动方案" and page.text.startswith("各区人民政府")


def test_gbk_html_page_is_decoded_and_analysed(fixtures_dir):
    raw = (fixtures_dir / "composed" / "c07_gbk_page.gbk.html").read_bytes()
    assert "常州市人民政府" in decode_bytes(raw)
    analysis = analysed("composed/c07_gbk_page.gbk.html")
    assert analysis.doc_number == "常政发〔2022〕45号" and analysis.publish_date == "2022-07-05"
    assert analysis.title == "常州市人工智能产业发展三年行动计划(2022—2024年)"
    assert analysis.attachments[0]["name"] == "常州市人工智能产业发展重点任务分工表.docx"
