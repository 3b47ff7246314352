"""The five simulated portals: their documents, and how each renders its column list and details.

Each site mimics one family seen on real portals:

- ``nansha``   TRS-style static list (index.html, index_1.html … via createPageHTML) and a
  政府信息公开 metadata table (索引号, 发文机关, 成文日期, 发文字号, 主题分类, 发布日期) on details.
- ``shenyang`` GBK-encoded pages declared by ``<meta charset=gbk>`` only (no header charset),
  "下一页" link pagination, Last-Modified validators only.
- ``liuzhou``  column page filled by JavaScript from a JSON API (``api/zcwj/list?page=N``).
- ``minhang``  details with attachments (附件): a PDF 政策解读 and a DOCX 申报指南.
- ``shenzhen`` plain UTF-8 list and detail (no table), "下一页" link pagination.

Seed metadata (title, 文号, issuer, date) comes from the seed texts where they state it; where a seed
does not state it (柳州's issuer and date) the value is illustrative and marked as such below.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from importlib import resources

from crawlers.simulator.attachments import make_docx, make_pdf


@dataclass
class SimAttachment:
    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class SimDocument:
    doc_id: str
    title: str
    text: str
    date: str
    doc_number: str | None = None
    issuer: str | None = None
    index_no: str = ""
    topic: str = "科技、教育\\科技"
    attachments: list[SimAttachment] = field(default_factory=list)
    modified: int = 0
    removed: bool = False


@dataclass(frozen=True)
class SiteSpec:
    site_id: str
    name: str
    region: str
    layout: str
    encoding: str
    validators: str  # "both", "etag", "last_modified" or "none"


SITES: dict[str, SiteSpec] = {
    spec.site_id: spec
    for spec in (
        SiteSpec("nansha", "广州市南沙区人民政府", "广州市南沙区", "trs_table", "utf-8", "both"),
        SiteSpec("shenyang", "沈阳市人民政府", "沈阳市", "gbk", "gbk", "last_modified"),
        SiteSpec("liuzhou", "柳州市人民政府", "柳州市", "json_api", "utf-8", "etag"),
        SiteSpec("minhang", "上海市闵行区人民政府", "上海市闵行区", "attachments", "utf-8", "both"),
        SiteSpec("shenzhen", "深圳市人民政府", "深圳市", "plain", "utf-8", "etag"),
    )
}


def seed_text(site_id: str) -> str:
    return resources.files("crawlers.simulator").joinpath("content", f"{site_id}.txt").read_text("utf-8")


def seed_documents() -> dict[str, SimDocument]:
    """site_id → its seed plan, with the metadata the seed text states."""
    docs = {
        "nansha": SimDocument(
            "5201",
            "关于印发《广州南沙人工智能产业发展三年行动计划(2018-2020年)》的通知",
            seed_text("nansha"),
            "2018-06-19",
            None,
            "广州市南沙区工业和科技信息化局",
            index_no="SIM-NS-2018-00123",
        ),
        "shenyang": SimDocument(
            "3362",
            "沈阳市人民政府办公厅关于印发沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)的通知",
            seed_text("shenyang"),
            "2018-12-06",
            "沈政办发〔2018〕144号",
            "沈阳市人民政府办公厅",
        ),
        # Issuer and date are not stated in the seed text: illustrative values.
        "liuzhou": SimDocument(
            "4418",
            "柳州市新一代人工智能与实体经济融合发展规划(2020-2025年)",
            seed_text("liuzhou"),
            "2020-09-30",
            None,
            "柳州市人民政府",
        ),
        "minhang": SimDocument(
            "2018084",
            "闵行区人民政府关于印发《闵行区推动新一代人工智能产业发展的实施意见》的通知",
            seed_text("minhang"),
            "2018-08-20",
            "闵府规发〔2018〕4号",
            "闵行区人民政府",
        ),
        "shenzhen": SimDocument(
            "6843",
            "深圳市人民政府关于印发新一代人工智能发展行动计划(2019-2023年)的通知",
            seed_text("shenzhen"),
            "2020-01-13",
            None,
            "深圳市人民政府",
        ),
    }
    docs["minhang"].attachments = default_attachments("minhang", docs["minhang"])
    return docs


def default_attachments(site_id: str, doc: SimDocument) -> list[SimAttachment]:
    """The 附件 a document on the attachments site carries: a PDF 解读 and a DOCX 申报指南."""
    if SITES[site_id].layout != "attachments":
        return []
    pdf_lines = [
        f"《{doc.title}》政策解读",
        "一、制定背景:落实国家和本市推动新一代人工智能发展的部署。",
        f"二、发布日期:{doc.date}。",
        "三、主要内容:明确产业集聚、示范应用和扶持政策。",
    ]
    docx_paragraphs = [
        "一、申报对象:在本区注册的人工智能企业和机构。",
        "二、申报材料:申请表、营业执照复印件、项目实施方案。",
        "三、受理时间:每年3月1日至4月30日。",
    ]
    return [
        SimAttachment("政策解读.pdf", f"{doc.doc_id}_jd.pdf", "application/pdf", make_pdf(pdf_lines)),
        SimAttachment(
            "申报指南.docx",
            f"{doc.doc_id}_zn.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            make_docx("申报指南", docx_paragraphs),
        ),
    ]


# --- URLs -----------------------------------------------------------------------------------------

COLUMN = {
    "nansha": "/nansha/zwgk/zcwj/",
    "shenyang": "/shenyang/zwgk/zcwj/",
    "liuzhou": "/liuzhou/zwgk/zcwj/",
    "minhang": "/minhang/xxgk/zcwj/",
    "shenzhen": "/shenzhen/gkmlpt/zcwj/",
}


def list_page_name(index: int) -> str:
    """TRS naming: page 0 is index.html, then index_1.html, index_2.html …"""
    return "index.html" if index == 0 else f"index_{index}.html"


def detail_path(site_id: str, doc: SimDocument) -> str:
    compact = doc.date.replace("-", "")
    if site_id == "nansha":
        return f"{COLUMN[site_id]}content/post_{doc.doc_id}.html"
    if site_id in ("shenyang", "liuzhou"):
        ext = "shtml" if site_id == "liuzhou" else "html"
        return f"{COLUMN[site_id]}{compact[:6]}/t{compact}_{doc.doc_id}.{ext}"
    if site_id == "minhang":
        return f"{COLUMN[site_id]}{doc.doc_id}.html"
    return f"/shenzhen/gkmlpt/content/post_{doc.doc_id}.html"


def attachment_path(site_id: str, doc: SimDocument, attachment: SimAttachment) -> str:
    return f"{COLUMN[site_id]}files/{doc.doc_id}/{attachment.filename}"


# --- rendering ------------------------------------------------------------------------------------

_E = html.escape


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{_E(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _page(site: SiteSpec, title: str, body: str) -> str:
    charset = "gbk" if site.encoding == "gbk" else "utf-8"
    return (
        "<!DOCTYPE html>\n<html><head>"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{_E(title)}_{_E(site.name)}</title>"
        f'<meta name="SiteName" content="{_E(site.name)}"></head>\n<body>\n'
        f'<div class="header"><a href="/{site.site_id}/">{_E(site.name)}</a></div>\n'
        f"{body}\n"
        '<div class="footer">主办:' + _E(site.name) + "办公室 (模拟站点 simulated site)</div>\n"
        "</body></html>\n"
    )


def render_list(site: SiteSpec, docs: list[SimDocument], index: int, pages: int) -> str:
    """One column list page (栏目) of a static-list site."""
    items = []
    for doc in docs:
        href = detail_path(site.site_id, doc)
        if site.layout == "trs_table":
            items.append(
                f'<li><a href="{href}" title="{_E(doc.title)}" target="_blank">{_E(doc.title)}</a>'
                f'<span class="date">{doc.date}</span></li>'
            )
        elif site.layout == "gbk":
            items.append(
                f'<li><span class="time">[{doc.date}]</span><a href="{href}">{_E(doc.title)}</a></li>'
            )
        elif site.layout == "attachments":
            items.append(
                f'<li class="item"><a class="title" href="{href}">{_E(doc.title)}</a>'
                f'<em>{doc.date.replace("-", "/")}</em></li>'
            )
        else:
            y, m, d = doc.date.split("-")
            items.append(f'<li><a href="{href}">{_E(doc.title)}</a><span>{y}年{int(m)}月{int(d)}日</span></li>')
    nav = ""
    if site.layout == "trs_table":
        nav = f'<div class="page"><script>createPageHTML({pages}, {index}, "index", "html");</script></div>'
    elif site.layout == "attachments":
        nav = f'<div class="pager" data-pages="{pages}">共{pages}页</div>'
    elif index + 1 < pages:
        nav = f'<div class="pager"><a class="next" href="{list_page_name(index + 1)}">下一页</a></div>'
    wrapper = {
        "trs_table": '<div class="BreadcrumbNav">首页 &gt; 政务公开 &gt; 政策文件</div><ul class="news_list">{}</ul>',
        "gbk": '<div class="list_con"><h2>政策文件</h2><ul>{}</ul></div>',
        "attachments": '<div class="list-main"><ul>{}</ul></div>',
        "plain": '<div class="zx_ml_list"><ul>{}</ul></div>',
    }[site.layout]
    return _page(site, "政策文件", wrapper.format("\n".join(items)) + nav)


def render_redesigned_list(site: SiteSpec, docs: list[SimDocument]) -> str:
    """The same column after a site redesign: the titles are all there, in markup no selector of ours
    expects (the ``layout_changed`` error mode)."""
    rows = "\n".join(
        f'<div class="row-v2"><a href="{detail_path(site.site_id, doc)}">{_E(doc.title)}</a><i>{doc.date}</i></div>'
        for doc in docs
    )
    return _page(site, "政策文件", f'<section class="article-list-2026">{rows}</section>')


# What a portal's WAF serves instead of the page (the ``captcha`` error mode): a slider challenge with
# the 加速乐-style clearance cookie script, answered with status 200 as these products do.
CAPTCHA_PAGE = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>安全验证</title></head><body>"
    "<div class=\"verify\"><p>您的访问请求可能对网站造成安全威胁，请完成验证后继续访问。</p>"
    "<div id=\"slider\">请拖动滑块完成验证</div></div>"
    "<script>document.cookie='__jsl_clearance=1733400000.123|0|abc;max-age=3600;path=/';</script>"
    "</body></html>"
)


def render_liuzhou_column(site: SiteSpec) -> str:
    """The human-facing column page: empty until its script calls the JSON API."""
    script = (
        "<script>fetch('/liuzhou/api/zcwj/list?page=1').then(r=>r.json()).then(d=>"
        "{document.getElementById('list').innerHTML=d.data.list.map(x=>'<li>'+x.title+'</li>').join('')})</script>"
    )
    return _page(site, "政策文件", '<ul id="list"></ul>' + script)


def render_json_list(site_id: str, docs: list[SimDocument], page: int, pages: int, total: int) -> str:
    entries = [
        {
            "id": doc.doc_id,
            "title": doc.title,
            "url": detail_path(site_id, doc),
            "publishDate": f"{doc.date} 09:00:00",
            "docNo": doc.doc_number or "",
        }
        for doc in docs
    ]
    payload = {"code": 200, "msg": "ok", "data": {"total": total, "totalPage": pages, "page": page, "list": entries}}
    return json.dumps(payload, ensure_ascii=False)


def render_detail(site: SiteSpec, doc: SimDocument) -> str:
    """A detail page with notice header, 文号, issuer, date and body, in the site's style."""
    number = doc.doc_number or ""
    issuer = doc.issuer or ""
    body = _paragraphs(doc.text)
    if site.layout == "trs_table":
        meta = (
            '<table class="xxgk_table">'
            f"<tr><th>索引号:</th><td>{_E(doc.index_no)}</td><th>主题分类:</th><td>{_E(doc.topic)}</td></tr>"
            f"<tr><th>发文机关:</th><td>{_E(issuer)}</td><th>成文日期:</th><td>{doc.date}</td></tr>"
            f'<tr><th>标题:</th><td colspan="3">{_E(doc.title)}</td></tr>'
            f"<tr><th>发文字号:</th><td>{_E(number)}</td><th>发布日期:</th><td>{doc.date}</td></tr>"
            "</table>"
        )
        main = (
            f'{meta}<div class="article"><h1 class="article-title">{_E(doc.title)}</h1>'
            f'<div class="TRS_Editor" id="zoom">{body}</div></div>'
        )
    elif site.layout == "gbk":
        main = (
            f'<div class="zw_title"><h2>{_E(doc.title)}</h2></div>'
            f'<div class="zw_info">发文字号:{_E(number)} 发布机构:{_E(issuer)} 发布日期:{doc.date}</div>'
            f'<div id="zoom" class="zw_content">{body}</div>'
        )
    elif site.layout == "json_api":
        main = (
            f'<div class="detail"><h1 class="detail-title">{_E(doc.title)}</h1>'
            f'<p class="detail-info">来源:{_E(issuer)} 发布时间:{doc.date} {_E(number)}</p>'
            f'<div class="detail-content">{body}</div></div>'
        )
    elif site.layout == "attachments":
        links = "".join(
            f'<li><a href="{attachment_path(site.site_id, doc, a)}">{_E(a.name)}</a></li>'
            for a in doc.attachments
        )
        main = (
            f'<div class="xxgk-info"><span>文号:{_E(number)}</span><span>发布机关:{_E(issuer)}</span>'
            f"<span>发布日期:{doc.date}</span></div>"
            f'<h1 class="article-title">{_E(doc.title)}</h1>'
            f'<div class="article-content">{body}</div>'
            f'<div class="attachments"><h3>附件:</h3><ul>{links}</ul></div>'
        )
    else:
        main = (
            f'<div class="tit"><h1>{_E(doc.title)}</h1></div>'
            f'<div class="info">{doc.date} {_E(issuer)} {_E(number)}</div>'
            f'<div class="news_cont_d_wrap">{body}</div>'
        )
    return _page(site, doc.title, main)
