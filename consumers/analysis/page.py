"""HTML page → title, main body text, 政府信息公开 metadata fields and attachment links (lxml).

Robust to the shapes in the development pages: gov.cn ``table.bd1`` fragments without <html>, TRS pages
with a second ``</html>`` before the article (closing html/body tags are dropped before parsing), Hanweb
XML with CDATA records, and template leftovers such as ``<span alt="时间：2017-…">`` (attributes other
than href/title/content are never read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from zhtext.normalize import fold_width, matching_form

from .fields import parse_fields
from .heading import ends_with_genre

_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|div|table|p|meta|title|span|td|li|article)\b", re.I)
_BLOCK = {"p", "div", "br", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
          "article", "dd", "dt", "dl", "header", "footer", "blockquote", "pre", "center", "form", "hr"}
_CELL = {"td", "th"}
_DROP = ("script", "style", "noscript", "iframe", "template", "svg", "canvas", "select", "button", "object")
# CMS-specific containers first (TRS, Hanweb, gov.cn), then generic ones where the longest match wins.
_BODY_SELECTORS = ("#UCAP-CONTENT", ".TRS_Editor", ".TRS_UEDITOR", ".pages_content", "#zoom", "#Zoom",
                   ".article-content", ".article-body", ".article_content", ".xxgk_content", ".wzcon", ".main-txt",
                   "#barrierfree_container .article")
_GENERIC_BODY = ("#content", ".content", "article", ".zw", ".article", ".detail", ".main")
_TITLE_SELECTORS = (".detail-article-title h2", ".article-title", ".article_title", ".title h1", ".article h1",
                    ".article h2")
DOC_EXT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar|7z|txt|ceb)(?:$|[?#])", re.I)
# "doc title_site" / "site - doc title" separators; a dash between digits is a period (2024—2026年), not one
_TITLE_SUFFIX = re.compile(r"\s*(?:_{1,2}|\||(?<!\d)(?:-{1,2}|—)|(?:-{1,2}|—)(?!\d))\s*")
# Title holders of CMS templates without a known class: .bt, .tit, .xl_title, #title … (checked by content)
_TITLE_LIKE = ("h1", "h2", "h3", "[class*=title]", "[class*=tit]", "[class*=bt]", "[id*=title]", "strong")

# gov.cn and news templates print the web date unlabelled before 来源 (2025-06-18 16:30 来源：…), often below
# the body where the labelled field parser does not look
_STAMP_THEN_SOURCE = re.compile(r"(?:^|\n)\s*((?:19|20)\d{2}-\d{1,2}-\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*"
                                r"(?:信息)?来源\s*[:：]")


@dataclass
class Page:
    title: str | None
    text: str
    fields: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    subtitle: str | None = None


def _prepare(html: str) -> str:
    html = re.sub(r"<!\[CDATA\[(.*?)\]\]>", r"\1", html, flags=re.S)
    html = re.sub(r"<\?xml[^>]*\?>", "", html)
    return re.sub(r"</\s*(?:html|body)\s*>", "", html, flags=re.I)


def _render(element: etree._Element) -> str:
    """Text of ``element`` with block elements on their own lines and table cells separated by ' | '."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _CELL:
            parts.append(" | ")
        elif tag in _BLOCK:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    text = fold_width("".join(parts))
    text = re.sub(r"[ \t\u3000\xa0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    # a one-cell row of a table-layout page (<td class="biaoti">headline</td>) must read as the bare line
    text = re.sub(r" \| *(?=\n|$)", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _select(root: etree._Element, selector: str) -> list[etree._Element]:
    try:
        return list(root.cssselect(selector))
    except Exception:  # an invalid selector from a source definition: fall back to the heuristics
        return []


def _meta(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip()
        content = (el.get("content") or "").strip()
        if name and content and name not in out:
            out[name] = content
    return out


def _body_element(root: etree._Element, hints: dict[str, str]) -> etree._Element | None:
    if hints.get("body_css"):  # a source definition's selector is trusted as long as it matches
        for el in _select(root, hints["body_css"]):
            if _render(el):
                return el
    for selector in _BODY_SELECTORS:
        for el in _select(root, selector):
            if len(_render(el)) >= 40:
                return el
    generic = [el for selector in _GENERIC_BODY for el in _select(root, selector)]
    if generic:
        longest = max(generic, key=lambda el: len(_render(el)))
        if len(_render(longest)) >= 80:
            return longest
    best, best_len = None, 0
    for el in root.iter("div", "td", "article", "section"):
        size = sum(len((p.text_content() or "").strip()) for p in el if isinstance(p.tag, str) and p.tag == "p")
        if size > best_len:
            best, best_len = el, size
    return best if best_len >= 80 else None


def _page_title(root: etree._Element, meta: dict[str, str], fields: dict[str, str], hints: dict[str, str],
                title_tag: str) -> str | None:
    if hints.get("title_css"):
        for el in _select(root, hints["title_css"]):
            text = _render(el).replace("\n", "")
            if text:
                return text
    if meta.get("ArticleTitle"):
        return fold_width(meta["ArticleTitle"]).strip()
    if fields.get("title"):
        return fields["title"]
    for selector in _TITLE_SELECTORS:
        for el in _select(root, selector):
            text = _render(el).replace("\n", "").strip()
            if 4 <= len(text) <= 120:
                return text
    # <title> is "doc title_site name" or "site name - doc title": the longest part is the document's —
    # unless it is only the site's name (武侯区人民政府) and a heading on the page reads like a title
    parts = [p.strip() for p in _TITLE_SUFFIX.split(title_tag) if p.strip()]
    if not (parts and ends_with_genre(max(parts, key=len))):
        heading = _title_like_element(root)
        if heading:
            return heading
    if parts and len(max(parts, key=len)) >= 6:
        return re.sub(r"(?<=[\u4e00-\u9fff\d])\s+(?=[\u4e00-\u9fff\d])", "", max(parts, key=len))
    for el in _select(root, "h1"):
        text = _render(el).replace("\n", "").strip()
        if 6 <= len(text) <= 120:
            return text
    return hints.get("list_title") or (parts[0] if parts else None)


def _title_like_element(root: etree._Element) -> str | None:
    """The first heading-like element whose text ends like a document title and is not a link (a related list)."""
    for selector in _TITLE_LIKE:
        for el in _select(root, selector):
            if any(anc.tag in ("a", "li") for anc in el.iterancestors()) or el.tag in ("a", "li"):
                continue
            text = _render(el).replace("\n", "").strip()
            if 6 <= len(text) <= 150 and ends_with_genre(text):
                return text
    return None


def extract_page(html: str, url: str = "", hints: dict[str, str] | None = None) -> Page:
    """Parse a saved page (full document or fragment) into title, body text, fields and attachments."""
    hints = hints or {}
    try:
        root = lxml.html.document_fromstring(_prepare(html))
    except (etree.ParserError, ValueError):
        return Page(title=hints.get("list_title"), text="")
    meta = _meta(root)
    title_tag = next((fold_width(el.text_content() or "").strip() for el in root.iter("title")), "")
    for bad in root.iter(*_DROP):
        bad.drop_tree() if bad.getparent() is not None else None
    for comment in root.iter(etree.Comment):
        if comment.getparent() is not None:
            comment.drop_tree()
    for head in root.iter("head"):
        head.drop_tree()
        break

    body_el = _body_element(root, hints)
    body = _render(body_el) if body_el is not None else _render(root)
    whole = _render(root)
    cut = whole.find(body[:30]) if body else -1
    fields = parse_fields(matching_form(whole), limit=cut + 200 if cut > 0 else 8000)
    for key, names in (("publish_date", ("PubDate", "firstpublishedtime", "publishdate", "pubdate")),
                       ("source", ("ContentSource",))):
        if key not in fields:
            value = next((meta[n] for n in names if meta.get(n)), None)
            if value:
                fields[key] = re.sub(r"^(\d{4}-\d{2}-\d{2})-(\d{2}:)", r"\1 \2", value)
    if "publish_date" not in fields:
        stamp = _STAMP_THEN_SOURCE.search(whole)
        if stamp:
            fields["publish_date"] = stamp.group(1)
    if len(fields.get("title", "")) < 5:
        fields.pop("title", None)
    title = _page_title(root, meta, fields, hints, title_tag)
    subtitle = None
    for el in _select(root, ".detail-article-title h3"):
        text = _render(el).strip()
        if text:
            subtitle = text
    attachments = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        name = _render(a).replace("\n", "").strip() or (a.get("title") or "").strip()
        name = re.sub(r"^(?:附件\s*\d*\s*[:：]?\s*)?\d{1,2}\s*[.、．]\s*", "", name)
        if href and (DOC_EXT.search(href) or name.startswith("附件")):
            entry = {"name": name, "url": urljoin(url, href) if url else href}
            if entry not in attachments:
                attachments.append(entry)
    return Page(title=title, text=body, fields=fields, attachments=attachments, meta=meta, subtitle=subtitle)


def looks_like_html(text: str) -> bool:
    """True for saved pages and fragments: several tags near the start, not a plain text with one '<'."""
    head = text[:4000]
    return bool(_HTML.search(head)) and len(re.findall(r"<[A-Za-z!/][^>]{0,200}>", head)) >= 3
