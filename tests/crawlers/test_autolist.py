"""The selector-free list extractor (layout ``auto``) on the real list pages and on composed portal pages.

The composed pages imitate the list shapes of Chinese government portals (TRS, 集约化, table and
``dl`` lists, GBK pages, ``<base href>``) with their navigation, footers and pagers; each lists the
entries a correct extractor must find. They were written before the extractor was run on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.autolist import extract_list
from crawlers.catalog import parse_source_file
from crawlers.layouts import parse_list
from zhtext.decoding import sniff_encoding

JIANGXI_URL = "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"
JPAGE_URL = (
    "https://gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp"
    "?startrecord=1&endrecord=75&perpage=25&columnid=80179"
)


def realpage(shared_dir: Path, prefix: str) -> str:
    [path] = sorted((shared_dir / "realpages").glob(prefix + "*"))
    body = path.read_bytes()
    return body.decode(sniff_encoding(body))


def triples(page) -> list[tuple[str, str, str]]:
    return [(link.url, link.title, link.date) for link in page.links]


# --- real pages -------------------------------------------------------------------------------------


def test_jiangxi_inline_json_list_is_found_without_a_script_marker(shared_dir):
    page = extract_list(JIANGXI_URL, realpage(shared_dir, "dev05"))
    assert len(page.links) == 50
    first, last = page.links[0], page.links[-1]
    assert (first.title, first.date) == ("《江西省生态环境分类执法监管办法》政策解读", "2025-07-29")
    assert first.url == "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1951206363677671424.html"
    assert (last.title, last.date) == (
        "《江西省生态环境厅关于进一步加强危险废物跨省转移管理工作的实施意见》政策解读",
        "2022-12-16",
    )
    [with_file] = [link for link in page.links if link.attachments]
    assert with_file.attachments == (
        (
            "关于印发《江西省生态环境分类执法监管办法》的通知1754038819428.pdf",
            "http://sthjt.jiangxi.gov.cn/jxssthjt/col42150/1951206363677671424/WKgZu66N.pdf",
        ),
    )


@pytest.mark.parametrize("number", range(1, 6))
def test_hanweb_jpage_records_totals_and_full_titles_are_found(shared_dir, number):
    page = extract_list(JPAGE_URL, realpage(shared_dir, f"dev{5 + number:02d}"))
    assert len(page.links) == 76
    assert (page.total_records, page.total, page.pager) == (756, 31, "hanweb_jpage")
    assert all(link.title and "..." not in link.title for link in page.links)
    dates = [link.date for link in page.links]
    assert all(dates) and dates == sorted(dates, reverse=True)
    assert all(link.url.startswith("https://gxt.jiangsu.gov.cn/art/") for link in page.links)
    # The next windows of 75 records up to record 756: 10 more requests.
    assert len(page.next_urls) == 10
    assert page.next_urls[0].endswith("startrecord=76&endrecord=150&perpage=25&columnid=80179")


def test_hanweb_jpage_pages_deduplicate_to_176_urls_with_the_manifest_ends(shared_dir):
    pages = [extract_list(JPAGE_URL, realpage(shared_dir, f"dev{5 + n:02d}")) for n in range(1, 6)]
    assert len(set().union(*({link.url for link in page.links} for page in pages))) == 176
    first = pages[0].links[0]
    assert first.title == "省政府办公厅印发关于进一步支持专精特新中小企业高质量发展若干政策措施的通知"
    assert (first.date, first.url) == ("2025-10-29", "https://gxt.jiangsu.gov.cn/art/2025/10/29/art_80179_11664839.html")
    last = pages[4].links[-1]
    assert (last.title, last.date) == ("关于公布2020年第八批预拌砂浆生产备案企业名单的通知", "2020-09-27")


# --- composed pages -----------------------------------------------------------------------------------

NAV = """
<div class="top-bar"><a href="/">首页</a><a href="/wza/">无障碍</a><a href="/en/">English</a></div>
<div class="mainNav"><ul>
  <li><a href="/zwgk/">政务公开</a><ul>
    <li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li><li><a href="/zwgk/zfxxgkzd/">政府信息公开制度</a></li>
    <li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li><li><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></li>
    <li><a href="/zwgk/zcjd/">政策解读与回应关切</a></li><li><a href="/zwgk/ghxx/">国民经济和社会发展规划</a></li></ul></li>
  <li><a href="/hdjl/">互动交流</a><ul>
    <li><a href="/hdjl/szxx/">市长信箱网上受理平台</a></li><li><a href="/hdjl/zxft/">在线访谈与网上调查征集</a></li></ul></li>
</ul></div>
"""

TRS_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告_某某市工业和信息化局</title></head>
<body>""" + NAV + """
<div class="position">当前位置：<a href="../../">首页</a> &gt; <a href="../">政务公开</a> &gt; 通知公告</div>
<div class="list-main">
  <ul class="list">
    <li><a href="./202403/t20240305_5521.html" target="_blank" title="某某市人民政府办公室关于印发某某市加快人工智能产业发展若干措施的通知">某某市人民政府办公室关于印发某某市加快人工智能产业发展若干...</a><span>2024-03-05</span></li>
    <li><a href="./202402/t20240219_5490.html" target="_blank" title="关于征集2024年度智能制造示范项目的通知">关于征集2024年度智能制造示范项目的通知</a><span>2024-02-19</span></li>
    <li><a href="./202401/t20240108_5433.html" target="_blank" title="某某市推动数字经济高质量发展实施方案（2024—2026年）">某某市推动数字经济高质量发展实施方案（2024—2026年）</a><span>2024-01-08</span></li>
  </ul>
  <div class="page"><script>createPageHTML(4, 0, "index", "html");</script></div>
</div>
<div class="footer"><a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a> 主办：某某市工业和信息化局</div>
</body></html>"""


def test_trs_static_list_with_menu_breadcrumb_and_create_page_html():
    page = extract_list("http://gxj.example.gov.cn/zwgk/tzgg/index.html", TRS_LIST)
    assert triples(page) == [
        ("http://gxj.example.gov.cn/zwgk/tzgg/202403/t20240305_5521.html",
         "某某市人民政府办公室关于印发某某市加快人工智能产业发展若干措施的通知", "2024-03-05"),
        ("http://gxj.example.gov.cn/zwgk/tzgg/202402/t20240219_5490.html",
         "关于征集2024年度智能制造示范项目的通知", "2024-02-19"),
        ("http://gxj.example.gov.cn/zwgk/tzgg/202401/t20240108_5433.html",
         "某某市推动数字经济高质量发展实施方案（2024—2026年）", "2024-01-08"),
    ]
    assert (page.pager, page.total) == ("createPageHTML", 4)
    assert page.next_urls == [f"http://gxj.example.gov.cn/zwgk/tzgg/index_{n}.html" for n in (1, 2, 3)]


def test_trs_page_two_continues_from_its_own_index():
    text = TRS_LIST.replace('createPageHTML(4, 0, "index", "html")', 'createPageHTML(4, 2, "index", "html")')
    page = extract_list("http://gxj.example.gov.cn/zwgk/tzgg/index_2.html", text)
    assert page.next_urls == ["http://gxj.example.gov.cn/zwgk/tzgg/index_3.html"]


TABLE_LIST = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>
<table width="100%" class="layout"><tr><td class="left">
  <table class="menu"><tr><td><a href="/xxgk/">信息公开</a></td></tr><tr><td><a href="/zcfg/">政策法规</a></td></tr></table>
</td><td class="right">
  <table class="zcwj_table" cellspacing="0">
    <tr><th>序号</th><th>标题</th><th>文号</th><th>发布日期</th></tr>
    <tr><td>1</td><td><a href="/zcfg/2023/1120/c1234.html" title="关于印发《某某省促进新一代人工智能发展行动计划（2023—2025年）》的通知">关于印发《某某省促进新一代人工智能发展行动计划...</a></td><td>某政办发〔2023〕45号</td><td>2023/11/20</td></tr>
    <tr><td>2</td><td><a href="/zcfg/2023/0915/c1198.html">某某省算力基础设施建设三年行动方案</a></td><td>某工信发〔2023〕12号</td><td>2023/09/15</td></tr>
    <tr><td>3</td><td><a href="/zcfg/2023/0702/c1150.html">关于加快推进公共数据开放利用的意见</a></td><td>某政发〔2023〕8号</td><td>2023/07/02</td></tr>
  </table>
  <table class="pager"><tr><td>共3页 <a href="/zcfg/list_2.html">下一页</a> <a href="/zcfg/list_3.html">尾页</a></td></tr></table>
</td></tr></table>
</body></html>"""


def test_table_list_with_dates_in_a_separate_cell_and_a_next_link():
    page = extract_list("https://kjt.example.gov.cn/zcfg/index.html", TABLE_LIST)
    assert triples(page) == [
        ("https://kjt.example.gov.cn/zcfg/2023/1120/c1234.html",
         "关于印发《某某省促进新一代人工智能发展行动计划（2023—2025年）》的通知", "2023-11-20"),
        ("https://kjt.example.gov.cn/zcfg/2023/0915/c1198.html", "某某省算力基础设施建设三年行动方案", "2023-09-15"),
        ("https://kjt.example.gov.cn/zcfg/2023/0702/c1150.html", "关于加快推进公共数据开放利用的意见", "2023-07-02"),
    ]
    assert page.pager == "next_link"
    assert page.next_urls[0] == "https://kjt.example.gov.cn/zcfg/list_2.html"


DL_LIST = """<html><head><meta charset="utf-8"></head><body>
<div class="crumb"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 规范性文件</div>
<div class="content">
  <dl class="doc-list">
    <dt>规范性文件</dt>
    <dd><a href="../gfxwj/art_101.html">某某区促进人工智能与实体经济深度融合实施办法</a><span>[2024-06-12]</span></dd>
    <dd><a href="../gfxwj/art_099.html">某某区数据要素市场化配置改革工作方案</a><span>[2024-05-30]</span></dd>
    <dd><a href="../gfxwj/art_097.html">关于规范政务服务事项办理流程的规定</a><span>[2024-05-06]</span></dd>
    <dd><a href="../gfxwj/art_090.html">某某区科技创新券管理暂行办法</a><span>[2024-04-18]</span></dd>
  </dl>
  <div class="more"><a href="../gfxwj/">更多&gt;&gt;</a></div>
</div></body></html>"""


def test_dl_dd_list_with_bracketed_dates_ignores_the_more_link():
    page = extract_list("http://www.example-qu.gov.cn/zwgk/list/index.html", DL_LIST)
    assert triples(page) == [
        ("http://www.example-qu.gov.cn/zwgk/gfxwj/art_101.html", "某某区促进人工智能与实体经济深度融合实施办法", "2024-06-12"),
        ("http://www.example-qu.gov.cn/zwgk/gfxwj/art_099.html", "某某区数据要素市场化配置改革工作方案", "2024-05-30"),
        ("http://www.example-qu.gov.cn/zwgk/gfxwj/art_097.html", "关于规范政务服务事项办理流程的规定", "2024-05-06"),
        ("http://www.example-qu.gov.cn/zwgk/gfxwj/art_090.html", "某某区科技创新券管理暂行办法", "2024-04-18"),
    ]


JIYUE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><base href="/szfbgt/">
<title>政策文件</title></head><body>
<div id="app"><ul class="xxgk-list"></ul></div>
<script>
  var siteConfig = {"channels": [{"name": "政务公开", "url": "/szfbgt/col/col1/index.html"},
                                  {"name": "互动交流", "url": "/szfbgt/col/col2/index.html"}]};
  new Vue({el: "#app", data: {
    pageInfo: {"pageNo": 1, "pageSize": 3, "totalPage": 12},
    docs: [{"docId": 71, "wzbt": "某某省人民政府办公厅关于推进人工智能赋能新型工业化的实施意见", "fbsj": "2024年3月5日", "lj": {"pc": "col/col7/art/2024/art_71.html", "mobile": "m/art_71.html"}},
           {"docId": 70, "wzbt": "某某省生成式人工智能服务备案工作指引", "fbsj": "2024年2月27日", "lj": {"pc": "col/col7/art/2024/art_70.html", "mobile": "m/art_70.html"}},
           {"docId": 66, "wzbt": "某某省智能网联汽车道路测试管理办法", "fbsj": "2024年1月9日", "lj": {"pc": "col/col7/art/2024/art_66.html", "mobile": "m/art_66.html"}}]
  }});
</script></body></html>"""


def test_jiyue_inline_json_list_under_other_key_names_resolves_against_base_href():
    page = extract_list("https://www.example.gov.cn/szfbgt/col/col7/index.html", JIYUE_PAGE)
    assert triples(page) == [
        ("https://www.example.gov.cn/szfbgt/col/col7/art/2024/art_71.html",
         "某某省人民政府办公厅关于推进人工智能赋能新型工业化的实施意见", "2024-03-05"),
        ("https://www.example.gov.cn/szfbgt/col/col7/art/2024/art_70.html", "某某省生成式人工智能服务备案工作指引", "2024-02-27"),
        ("https://www.example.gov.cn/szfbgt/col/col7/art/2024/art_66.html", "某某省智能网联汽车道路测试管理办法", "2024-01-09"),
    ]


FURNITURE_PAGE = """<html><head><meta charset="utf-8"></head><body>""" + NAV + """
<div class="main"><div class="lm-title">最新文件</div>
  <ul class="news">
    <li><a href="/xxgk/2025/01/doc_812.html">关于开展2025年人工智能应用场景揭榜挂帅工作的通知</a><em>2025年1月16日</em></li>
    <li><a href="/xxgk/2024/12/doc_790.html">某某市大模型产业发展扶持办法</a><em>2024年12月30日</em></li>
  </ul>
  <div class="pages"><a href="index.html">首页</a><a href="index_1.html">2</a><a href="index_1.html">下一页</a><a href="index_1.html">尾页</a></div>
</div>
<div class="xglj"><h4>相关链接</h4><ul>
  <li><a href="http://www.gov.cn/">中华人民共和国中央人民政府门户网站</a></li>
  <li><a href="http://www.ndrc.gov.cn/">中华人民共和国国家发展和改革委员会</a></li>
  <li><a href="http://www.miit.gov.cn/">中华人民共和国工业和信息化部</a></li>
  <li><a href="http://www.most.gov.cn/">中华人民共和国科学技术部</a></li>
  <li><a href="http://www.cac.gov.cn/">国家互联网信息办公室网站</a></li>
  <li><a href="http://www.example-sheng.gov.cn/">某某省人民政府门户网站</a></li>
</ul></div>
<div class="footer"><p>主办：某某市人民政府办公室 <a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a></p></div>
</body></html>"""


def test_menu_and_related_links_footer_are_ignored_for_a_short_dated_list():
    page = extract_list("http://www.example-shi.gov.cn/xxgk/index.html", FURNITURE_PAGE)
    assert triples(page) == [
        ("http://www.example-shi.gov.cn/xxgk/2025/01/doc_812.html", "关于开展2025年人工智能应用场景揭榜挂帅工作的通知", "2025-01-16"),
        ("http://www.example-shi.gov.cn/xxgk/2024/12/doc_790.html", "某某市大模型产业发展扶持办法", "2024-12-30"),
    ]
    assert page.next_urls == ["http://www.example-shi.gov.cn/xxgk/index_1.html"]


GBK_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>文件通知</title></head><body>
<div class="list_con"><h2>文件通知</h2><ul>
<li><span class="time">[2019/04/08]</span><a href="201904/t20190408_3301.htm">关于印发沈北新区人工智能产业扶持政策的通知</a></li>
<li><span class="time">[2019/03/21]</span><a href="201903/t20190321_3287.htm">沈北新区优化营商环境若干措施</a></li>
<li><span class="time">[2019/02/28]</span><a href="201902/t20190228_3260.htm">关于做好2019年度企业研发费用补助申报工作的通知</a></li>
</ul></div></body></html>"""


def test_gbk_declared_page_decodes_and_its_list_is_found():
    body = GBK_PAGE.encode("gbk")
    text = body.decode(sniff_encoding(body, "text/html"))
    page = extract_list("http://www.example-xq.gov.cn/zwgk/wjtz/index.htm", text)
    assert triples(page) == [
        ("http://www.example-xq.gov.cn/zwgk/wjtz/201904/t20190408_3301.htm", "关于印发沈北新区人工智能产业扶持政策的通知", "2019-04-08"),
        ("http://www.example-xq.gov.cn/zwgk/wjtz/201903/t20190321_3287.htm", "沈北新区优化营商环境若干措施", "2019-03-21"),
        ("http://www.example-xq.gov.cn/zwgk/wjtz/201902/t20190228_3260.htm", "关于做好2019年度企业研发费用补助申报工作的通知", "2019-02-28"),
    ]


BASE_HREF_PAGE = """<html><head><meta charset="utf-8"><base href="http://www.example-zx.gov.cn/zwgk/"></head><body>
<div class="news-list">
  <div class="news-item"><h3><a href="tzgg/2022/0610/c88.html">关于公布2022年度市级人工智能创新平台名单的通告</a></h3>
    <p class="summary">经专家评审和公示，现将名单予以公布。</p><span class="time">2022.06.10</span></div>
  <div class="news-item"><h3><a href="tzgg/2022/0520/c80.html">某某市人工智能产业专项资金管理细则</a></h3>
    <p class="summary">为规范专项资金管理，制定本细则。</p><span class="time">2022.05.20</span></div>
  <div class="news-item"><h3><a href="tzgg/2022/0428/c77.html">关于开展人工智能企业认定工作的公告</a></h3>
    <p class="summary">现就有关事项公告如下。</p><span class="time">2022.04.28</span></div>
</div></body></html>"""


def test_div_blocks_are_a_list_and_relative_links_follow_base_href():
    page = extract_list("http://www.example-zx.gov.cn/a/b/list.html", BASE_HREF_PAGE)
    assert triples(page) == [
        ("http://www.example-zx.gov.cn/zwgk/tzgg/2022/0610/c88.html", "关于公布2022年度市级人工智能创新平台名单的通告", "2022-06-10"),
        ("http://www.example-zx.gov.cn/zwgk/tzgg/2022/0520/c80.html", "某某市人工智能产业专项资金管理细则", "2022-05-20"),
        ("http://www.example-zx.gov.cn/zwgk/tzgg/2022/0428/c77.html", "关于开展人工智能企业认定工作的公告", "2022-04-28"),
    ]


API_BODY = """{"code": 0, "message": "success", "data": {"current": 1, "pages": 3, "total": 7,
 "records": [
  {"id": "a1", "bt": "某某市人工智能产业园区认定管理办法", "detailUrl": "/zcwj/detail?id=a1", "fbrq": 1709596800000},
  {"id": "a2", "bt": "关于支持人形机器人产业创新发展的若干措施", "detailUrl": "/zcwj/detail?id=a2", "fbrq": 1707004800000}
 ]}}"""


def test_json_api_body_with_epoch_dates_and_a_page_parameter():
    page = extract_list("https://api.example.gov.cn/zcwj/list?pageNo=1&pageSize=2", API_BODY)
    assert triples(page) == [
        ("https://api.example.gov.cn/zcwj/detail?id=a1", "某某市人工智能产业园区认定管理办法", "2024-03-05"),
        ("https://api.example.gov.cn/zcwj/detail?id=a2", "关于支持人形机器人产业创新发展的若干措施", "2024-02-04"),
    ]
    assert page.total == 3
    assert page.next_urls == [
        "https://api.example.gov.cn/zcwj/list?pageNo=2&pageSize=2",
        "https://api.example.gov.cn/zcwj/list?pageNo=3&pageSize=2",
    ]


def test_repeated_links_are_listed_once():
    text = TRS_LIST.replace("</ul>", '<li><a href="./202403/t20240305_5521.html">某某市人民政府办公室关于印发某某市加快人工智能产业发展若干措施的通知</a><span>2024-03-05</span></li></ul>')
    page = extract_list("http://gxj.example.gov.cn/zwgk/tzgg/index.html", text)
    assert len(page.links) == 3


# --- the layout in a source file -------------------------------------------------------------------------


def _auto_source(folder: Path, list_url: str, extra: str = ""):
    folder.mkdir(exist_ok=True)
    path = folder / "auto.toml"
    path.write_text(
        f'''id = "auto-test"
name = "某某市 · 自动识别"
region = "某某市"
layout = "auto"
list_urls = ["{list_url}"]
{extra}
[verification]
status = "unverified"
method = "test"
''',
        encoding="utf-8",
    )
    return path


def test_a_source_needs_no_links_table_with_layout_auto(tmp_path):
    source = parse_source_file(_auto_source(tmp_path, "http://gxj.example.gov.cn/zwgk/tzgg/index.html"))
    assert source is not None and source.layout == "auto"
    page = parse_list(source, source.list_urls[0], TRS_LIST)
    assert len(page.links) == 3 and len(page.next_urls) == 3


def test_an_explicit_pagination_rule_replaces_the_detected_one(tmp_path):
    extra = '[links]\nurl_regex = "t2024030"\n[pagination]\nkind = "template"\ntemplate = "index_{n}.html"\ntotal_regex = \'createPageHTML\\((\\d+)\'\n'
    source = parse_source_file(_auto_source(tmp_path, "http://gxj.example.gov.cn/zwgk/tzgg/index.html", extra))
    page = parse_list(source, source.list_urls[0], TRS_LIST)
    assert [link.url.rsplit("/", 1)[-1] for link in page.links] == ["t20240305_5521.html"]
    assert page.next_urls == [] and page.total == 4


def test_crawl_of_a_simulated_trs_site_with_layout_auto_reaches_every_page(sim, bus_config, tmp_path, read_events, events_of):
    from core.settings import load_settings
    from crawlers.runner import run_crawl

    for number in range(5):  # 6 documents at 2 per page: index.html, index_1.html, index_2.html
        sim.publish("nansha", f"95{number}", f"人工智能测试文件{number}的通知", f"正文{number}", f"2025-05-0{number + 1}")
    _auto_source(tmp_path / "src", f"{sim.base_url}/nansha/zwgk/zcwj/index.html")
    settings = load_settings(None, var_dir=tmp_path / "var", crawl={"sources_dirs": [tmp_path / "src"]})
    result = run_crawl("auto-test", settings=settings, bus=bus_config, timeout_s=60,
                       extra_settings={"AUTOTHROTTLE_ENABLED": "False"})
    assert result.ok, result.error
    assert (result.stats["list_pages"], result.stats["published"]) == (3, 6)
    pages = events_of(read_events(), "page.fetched")
    listed = {(p["list_entry"]["title"], p["list_entry"]["date"]) for p in pages}
    assert {(d["title"], d["date"]) for d in sim.list_documents("nansha")} == listed
    [inventory] = events_of(read_events(), "source.crawled")
    assert inventory["complete"] is True and len(inventory["seen_urls"]) == 6


DATE_IN_LINK_PAGE = """<html><head><meta charset="utf-8"></head><body>
<div class="zcwj-box"><ul class="zcwj">
  <li><a href="/zcwj/2024/art_9.html"><span class="tit">· 关于推动人工智能+行动的实施方案</span><span class="rq">2024-08-01</span></a></li>
  <li><a href="/zcwj/2024/art_8.html"><span class="tit">· 某某市支持算力券发放管理办法（试行）</span><span class="rq">2024-07-12</span></a></li>
</ul></div></body></html>"""


def test_a_date_inside_the_link_is_the_date_not_part_of_the_title():
    page = extract_list("https://www.example-cs.gov.cn/zcwj/index.html", DATE_IN_LINK_PAGE)
    assert triples(page) == [
        ("https://www.example-cs.gov.cn/zcwj/2024/art_9.html", "关于推动人工智能+行动的实施方案", "2024-08-01"),
        ("https://www.example-cs.gov.cn/zcwj/2024/art_8.html", "某某市支持算力券发放管理办法（试行）", "2024-07-12"),
    ]


def test_sources_check_reports_what_auto_finds_next_to_the_selectors(sim):
    from crawlers.catalog import PACKAGE_SOURCES_DIR, find_source, load_sources
    from policywatch.sources_check import check_sources, render_report

    sim.publish("nansha", "961", "某某区人工智能产业扶持办法", "正文" * 150, "2025-06-01")
    source = find_source(load_sources([PACKAGE_SOURCES_DIR], sim.base_url), "sim-nansha")
    [result] = check_sources([source], user_agent="pw-test", delay_s=0)
    assert result.auto_links == result.links == 2
    report = render_report([result])
    assert "auto layout finds: 2 links, pagination: createPageHTML" in report
    assert "某某区人工智能产业扶持办法 (2025-06-01)" in report


XXGK_TABLE = """<html><head><meta charset="utf-8"></head><body>
<table class="xxgk-ml"><tr><th>索引号</th><th>名称</th><th>发布日期</th><th>操作</th></tr>
<tr><td>11440100/2024-00123</td><td>某某市人民政府关于印发某某市人工智能产业链高质量发展三年行动计划的通知</td><td>2024-05-15</td><td><a href="/gkmlpt/content/9/9612/post_9612.html">查看</a></td></tr>
<tr><td>11440100/2024-00117</td><td>某某市人民政府办公厅关于加快建设智能算力中心的若干意见</td><td>2024-04-02</td><td><a href="/gkmlpt/content/9/9577/post_9577.html">查看</a></td></tr>
</table></body></html>"""


def test_an_information_table_whose_link_says_only_view_takes_the_title_from_its_cell():
    page = extract_list("https://www.example-gz.gov.cn/gkmlpt/index", XXGK_TABLE)
    assert triples(page) == [
        ("https://www.example-gz.gov.cn/gkmlpt/content/9/9612/post_9612.html",
         "某某市人民政府关于印发某某市人工智能产业链高质量发展三年行动计划的通知", "2024-05-15"),
        ("https://www.example-gz.gov.cn/gkmlpt/content/9/9577/post_9577.html",
         "某某市人民政府办公厅关于加快建设智能算力中心的若干意见", "2024-04-02"),
    ]


def test_a_page_of_only_menus_and_friend_links_yields_no_document_links():
    text = FURNITURE_PAGE.split('<div class="main">')[0] + FURNITURE_PAGE[FURNITURE_PAGE.index('<div class="xglj">'):]
    assert "相关链接" in text and "doc_812" not in text
    page = extract_list("http://www.example-shi.gov.cn/xxgk/index.html", text)
    assert page.links == []


HANWEB_COLUMN = """<html><head><meta charset="utf-8"></head><body><div class="bt-nav"><a href="/">首页</a></div>
<div id="4470"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=12&path=/&columnid=4470&unitid=9981&webname=x&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/6/3/art_4470_100.html" title="关于印发某某省人工智能产业高质量发展行动方案的通知" target="_blank">关于印发某某省人工智能产业高质量...</a><span>2024-06-03</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/5/20/art_4470_98.html" title="某某省数据条例实施细则" target="_blank">某某省数据条例实施细则</a><span>2024-05-20</span></li>]]></record>
</recordset></datastore></script></div>
<script>new JPage({unitid: 9981, totalRecord: 5, perPage: 2});</script>
</body></html>"""


def test_a_hanweb_column_page_gives_its_inline_records_and_the_dataproxy_windows():
    page = extract_list("https://fgw.example.gov.cn/col/col4470/index.html", HANWEB_COLUMN)
    assert triples(page) == [
        ("https://fgw.example.gov.cn/art/2024/6/3/art_4470_100.html", "关于印发某某省人工智能产业高质量发展行动方案的通知", "2024-06-03"),
        ("https://fgw.example.gov.cn/art/2024/5/20/art_4470_98.html", "某某省数据条例实施细则", "2024-05-20"),
    ]
    assert page.total_records == 5
    assert [url.split("permissiontype=0&")[1] for url in page.next_urls] == [
        "startrecord=3&endrecord=4&perpage=2",
        "startrecord=5&endrecord=6&perpage=2",
    ]


def test_a_trs_pager_written_with_variables_is_followed():
    text = TRS_LIST.replace(
        'createPageHTML(4, 0, "index", "html");',
        'var countPage = 3; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "shtml");',
    )
    page = extract_list("http://gxj.example.gov.cn/zwgk/tzgg/index.shtml", text)
    assert (page.total, page.next_urls) == (
        3, ["http://gxj.example.gov.cn/zwgk/tzgg/index_1.shtml", "http://gxj.example.gov.cn/zwgk/tzgg/index_2.shtml"]
    )
