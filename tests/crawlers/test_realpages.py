"""Every page of ../shared/realpages parsed with the fields its MANIFEST lists."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest
from parsel import Selector

from crawlers.attachments import find_attachment_links
from crawlers.catalog import PACKAGE_SOURCES_DIR, DetailHints, find_source, load_sources
from crawlers.layouts import pagination_urls, parse_list
from crawlers.listpage import lenient_selector
from zhtext.decoding import sniff_encoding

HERE = Path(__file__).resolve().parent
TEST_SOURCES = {s.id: s for s in load_sources([HERE / "sources"])}
JIANGXI_URL = "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"
JIANGSU_URL = "https://gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=75&perpage=25"


def realpage(shared_dir: Path, prefix: str) -> Path:
    [path] = sorted((shared_dir / "realpages").glob(prefix + "*"))
    return path


def read(shared_dir: Path, prefix: str) -> str:
    body = realpage(shared_dir, prefix).read_bytes()
    return body.decode(sniff_encoding(body))


def test_jiangxi_inline_json_list_has_the_manifest_entries(shared_dir):
    page = parse_list(TEST_SOURCES["jiangxi-sthjt"], JIANGXI_URL, read(shared_dir, "dev05"))
    assert len(page.links) == 50
    first, last = page.links[0], page.links[-1]
    assert first.title == "《江西省生态环境分类执法监管办法》政策解读"
    assert first.date == "2025-07-29"
    assert first.url == "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1951206363677671424.html"
    assert last.title == "《江西省生态环境厅关于进一步加强危险废物跨省转移管理工作的实施意见》政策解读"
    assert last.date == "2022-12-16"
    with_files = [link for link in page.links if link.attachments]
    assert len(with_files) == 1
    assert with_files[0].attachments == (
        (
            "关于印发《江西省生态环境分类执法监管办法》的通知1754038819428.pdf",
            "http://sthjt.jiangxi.gov.cn/jxssthjt/col42150/1951206363677671424/WKgZu66N.pdf",
        ),
    )


@pytest.mark.parametrize("number", range(1, 6))
def test_hanweb_jpage_xml_page_has_76_records_and_the_totals(shared_dir, number):
    source = TEST_SOURCES["jiangsu-gxt"]
    page = parse_list(source, JIANGSU_URL, read(shared_dir, f"dev{5 + number:02d}"))
    assert len(page.links) == 76
    assert page.total == 756
    dates = [link.date for link in page.links]
    assert dates == sorted(dates, reverse=True)
    assert all("..." not in link.title and link.title for link in page.links)
    assert all(link.url.startswith("https://gxt.jiangsu.gov.cn/art/") for link in page.links)
    # 756 records at 75 per request window: 11 list requests, within the page cap.
    assert len(pagination_urls(source, JIANGSU_URL, page.total, cap=50)) == 10


def test_hanweb_jpage_pages_overlap_and_deduplicate_to_176_urls(shared_dir):
    source = TEST_SOURCES["jiangsu-gxt"]
    pages = [
        {link.url for link in parse_list(source, JIANGSU_URL, read(shared_dir, f"dev{5 + n:02d}")).links}
        for n in range(1, 6)
    ]
    assert len(pages[0] & pages[1]) == 51
    assert len(pages[0] & pages[2]) == 26
    assert len(pages[0] & pages[3]) == 1
    assert len(set().union(*pages)) == 176
    first = parse_list(source, JIANGSU_URL, read(shared_dir, "dev06")).links[0]
    assert first.title == "省政府办公厅印发关于进一步支持专精特新中小企业高质量发展若干政策措施的通知"
    assert (first.date, first.url) == ("2025-10-29", "https://gxt.jiangsu.gov.cn/art/2025/10/29/art_80179_11664839.html")
    last = parse_list(source, JIANGSU_URL, read(shared_dir, "dev10")).links[-1]
    assert last.title == "关于公布2020年第八批预拌砂浆生产备案企业名单的通知"
    assert last.date == "2020-09-27"


GOV_CN_FIELDS = {
    "dev02": {
        "index_no": "000014349/2019-00007",
        "issuer": "国务院",
        "doc_number": "国发〔2019〕5号",
        "title": "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见",
        "issue_date": "2019年01月27日",
        "publish_date": "2019年02月15日",
    },
    "dev03": {
        "index_no": "000014349/2018-00219",
        "issuer": "国务院",
        "doc_number": "国发〔2018〕41号",
        "title": "国务院关于印发个人所得税专项附加扣除暂行办法的通知",
        "issue_date": "2018年12月13日",
        "publish_date": "2018年12月22日",
    },
}


def gov_cn_hints() -> dict[str, str]:
    sources = load_sources([PACKAGE_SOURCES_DIR])
    return find_source(sources, "gov-cn-zhengceku").detail_hints()


@pytest.mark.parametrize("prefix", sorted(GOV_CN_FIELDS))
def test_gov_cn_detail_hints_find_the_information_table_and_body(shared_dir, prefix):
    from consumers.analysis.page import extract_page

    html = read(shared_dir, prefix)
    selector = Selector(text=html)
    hints = gov_cn_hints()
    assert selector.css(hints["meta_table_css"])
    assert len(" ".join(selector.css(hints["body_css"] + " ::text").getall())) > 1000
    page = extract_page(html, "http://www.gov.cn/zhengce/content/x.htm", hints)
    for key, value in GOV_CN_FIELDS[prefix].items():
        assert page.fields.get(key) == value, key
    if prefix == "dev03":
        assert "第一章" in page.text and "此件公开发布" in page.text


def test_gov_cn_gazette_page_body_survives_the_early_closing_html_tag(shared_dir):
    html = read(shared_dir, "dev01")
    hints = gov_cn_hints()
    # The article sits after the first </html>; a plain lxml parse loses it, ours does not.
    assert not Selector(text=html).css(hints["body_css"])
    body = " ".join(lenient_selector(html).css(hints["body_css"] + " ::text").getall())
    assert "第十届全国人民代表大会常务委员会第二十八次会议" in body
    assert "firstpublishedtime" in html


def test_news_page_info_is_read_from_values_not_template_leftovers(shared_dir):
    from consumers.analysis.page import extract_page

    page = extract_page(read(shared_dir, "dev04"), "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml")
    assert page.title and "山西品牌丝路行" in page.title
    assert page.fields.get("publish_date", "").startswith("2019-09-18")
    assert page.fields.get("source") == "山西日报"
    assert "2017-11-08" not in page.fields.get("publish_date", "")


def test_default_attachment_selector_finds_every_nea_attachment(shared_dir):
    records = json.loads(realpage(shared_dir, "dev11").read_text("utf-8"))
    assert len(records) == 37
    with_files = [r for r in records if r["attachment"]]
    assert len(with_files) == 5
    for record in with_files:
        found = find_attachment_links(Selector(text=record["body_html"]), record["url"], DetailHints().attachments)
        assert {url for url, _ in found} == {a["attachment_url"] for a in record["attachment"]}
    info_tables = [r for r in records if r["label"] == "政府信息公开目录"]
    assert len(info_tables) == 10
    assert all("索引号" in r["body_html"] for r in info_tables)


def test_relative_links_resolve_against_the_page_url():
    html = '<ul><li><a href="../t20240101_1.html" title="甲">甲</a><span>2024-01-01</span></li></ul>'
    source = TEST_SOURCES["jiangsu-gxt"]
    page = parse_list(source, "https://x.gov.cn/col/a/index.html", f"<record><![CDATA[{html}]]></record>")
    assert page.links[0].url == urljoin("https://x.gov.cn/col/a/index.html", "../t20240101_1.html")


@pytest.mark.parametrize(
    ("index_no", "title", "issue_date"),
    [
        ("000019705/2025-000316", "国家能源局综合司关于同意文登上库坝等19座水电站大坝安全注册登记的复函", "2025-09-25"),
        ("000019705/2025-000315", "国家能源局关于印发《加快推进能源行业信用体系建设高质量发展行动方案》的通知", "2025-10-09"),
    ],
)
def test_nea_information_table_fields_are_found_with_default_hints(shared_dir, index_no, title, issue_date):
    from consumers.analysis.page import extract_page

    records = json.loads(realpage(shared_dir, "dev11").read_text("utf-8"))
    [record] = [r for r in records if index_no in r["body_html"]]
    page = extract_page(record["body_html"], record["url"], {})
    assert (page.fields.get("index_no"), page.fields.get("publisher")) == (index_no, "国家能源局")
    assert page.fields.get("issue_date") == issue_date
    assert page.title == title
