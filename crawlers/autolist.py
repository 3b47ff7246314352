"""A selector-free list extractor: the document links of a column list page, with no configuration.

Hand-written selectors break when a portal is redesigned and must be written for every new
column; this module finds the list by its shape instead, so a source can start with
``layout = "auto"`` and ``sources check`` can suggest what selectors should find. It tries, in order:

1. Hanweb (大汉) jpage XML: ``<recordset>`` of ``<record><![CDATA[<li>…</li>]]></record>``;
2. a JSON body (an API answer): the best array of objects with a title, a URL and a date;
3. an HTML page: JSON article arrays in its scripts (集约化 platforms) and the repeated sibling
   blocks (``li``/``tr``/``dd``/``div``…) that each hold one title-like link, usually with a date.
   Candidates are scored (repetition, title length, 通知/意见/方案… words, dates; navigation,
   footers and friend links are penalised) and the best one wins.

Pagination it can see (TRS ``createPageHTML``, "下一页" links, ``index_N.html`` links, Hanweb
``totalrecord``/``totalpage`` windows, a JSON page count with a page parameter) is reported as
``ListPage.next_urls``/``total``/``pager``.

One module on purpose: the candidates of every kind are scored on one scale against each other, and
the pagination found depends on which candidate won.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from crawlers.listpage import ListLink, ListPage, normalise_date

MAX_NEXT_URLS = 200  # generated page URLs per list page; the crawl's page cap bounds them further

_CDATA_RECORD = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|\btotalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_TOTALPAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"]"
)
_CREATE_PAGE_TOTAL = re.compile(r"createPageHTML\(\s*(\d+)")
_CREATE_PAGE_VARS = re.compile(
    r"createPageHTML\(\s*[A-Za-z_]\w*\s*,\s*[A-Za-z_]\w*\s*(?:,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"])?"
)
_CREATE_PAGE_COUNT = re.compile(r"\b(?:countPage|pageCount|totalPage|page_count|pageSum)\s*=\s*['\"]?(\d+)")
_CREATE_PAGE_CURRENT = re.compile(r"\b(?:currentPage|curPage|pageIndex|current_page)\s*=\s*['\"]?(\d+)")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]*dataproxy\.jsp[^'\"]*)['\"]", re.S | re.I)
_CLOSING_ROOT = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_JSON_ARRAY_START = re.compile(r"\[\s*\{")
_INDEX_PAGE = re.compile(r"(?:^|/)index_\d+\.s?html?$")
_FILE_EXT = re.compile(r"\.(?:pdf|docx?|wps|ofd|xlsx?|zip|rar|et|txt)$", re.I)
_PAGE_LIKE = re.compile(r"\.(?:s?html?|jsp|aspx?|php)(?:\?|$)|/content|/art/|/t\d{8}_|\?id=|detail|article", re.I)

# Words typical of policy document titles (通知 notice, 意见 opinion, 方案 plan …).
TITLE_WORDS = (
    "通知", "意见", "方案", "计划", "办法", "措施", "规定", "决定", "公告", "通告", "规划", "细则",
    "政策", "解读", "批复", "条例", "指南", "纲要", "公示", "报告", "函", "令",
)
# Link texts of pagers, "more" links and site furniture: never document titles.
NON_TITLES = {
    "首页", "上一页", "下一页", "尾页", "末页", "上页", "下页", "前一页", "后一页", "更多", "更多>>",
    "more", "more>>", ">>", "<<", ">", "<", "返回", "返回顶部", "打印", "关闭", "关闭窗口", "收藏",
    "登录", "注册", "无障碍", "长者模式", "English", "繁體", "简体", "网站地图", "联系我们",
}
NEXT_TEXTS = ("下一页", "下页", "后一页", "下一页>", "下一页>>", "next", "Next", "›", "»")
# class/id words of page furniture (navigation, footers, friend/related links, breadcrumbs); a
# class token matches when it starts or ends with one ("mainNav", "footer_box", "yqlj").
FURNITURE_WORDS = (
    "nav", "menu", "foot", "header", "banner", "crumb", "yqlj", "xglj", "friend", "links", "share",
    "sidebar", "copyright", "bottom", "weizhi", "dqwz", "position", "location", "toolbar", "topbar",
)
_TOKENS = re.compile(r"[a-z0-9]+")
_ENTRY_TAGS = {"li", "tr", "dd", "dt", "div", "p", "article", "section", "h3", "h4"}
_TITLE_KEY = re.compile(r"title|name|bt|biaoti|subject|headline|topic", re.I)
_URL_KEY = re.compile(r"url|link|href|path|src|address|addr", re.I)
_DATE_KEY = re.compile(r"date|time|pub|fbrq|rq|day|created|publish|issue", re.I)
_ATTACH_KEY = re.compile(r"file|attach|fj|enclosure|appendix", re.I)
_TOTAL_PAGES_KEY = re.compile(r"^(?:total_?pages?|page_?count|pages|totalpage|pagetotal|pagenum?s)$", re.I)
_PAGE_PARAMS = ("page", "pageNo", "pageNum", "pageIndex", "currentPage", "curPage", "p", "pn", "pageno", "pagenum")


@dataclass
class _Candidate:
    links: list[ListLink]
    score: float
    kind: str


# --- helpers --------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _chinese(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def _usable_href(href: str | None) -> bool:
    href = (href or "").strip()
    return bool(href) and not href.lower().startswith(("javascript:", "#", "mailto:", "tel:", "data:"))


def _pick_title(text: str, title_attr: str) -> str:
    """The ``title`` attribute when it holds at least the visible text (lists cut titles with "...")."""
    text, title_attr = _clean(text), _clean(title_attr)
    if title_attr and (len(title_attr) >= len(text) or text.endswith(("...", "…", "..")) or not text):
        return title_attr
    return text


def _is_title_like(title: str) -> bool:
    bare = title.strip(" []【】·•>»")
    if bare in NON_TITLES or bare.lower() in NON_TITLES or bare.isdigit():
        return False
    return len(bare) >= 4


def _entry_score(title: str, date: str) -> float:
    score = 1.0 + min(len(title), 40) / 8
    if date:
        score += 3
    if any(word in title for word in TITLE_WORDS):
        score += 2
    if _chinese(title) < 3:
        score -= 2
    return score


def _dedupe(links: Iterable[ListLink]) -> list[ListLink]:
    seen: set[str] = set()
    unique = []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique


def _date_value(value: Any) -> str:
    """A date from a JSON value: text in any common form, or epoch seconds/milliseconds."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float) and 1e9 <= value < 1e13:
        seconds = value / 1000 if value >= 1e11 else value
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")
    if isinstance(value, str):
        if value.isdigit() and len(value) in (10, 13):
            return _date_value(int(value))
        return normalise_date(value)
    return ""


# --- Hanweb jpage XML -----------------------------------------------------------------------------


def _window_urls(url: str, total_records: int) -> list[str]:
    """The further ``startrecord``/``endrecord`` windows of a Hanweb dataproxy URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    values = dict(query)
    try:
        start, end = int(values["startrecord"]), int(values["endrecord"])
    except (KeyError, ValueError):
        return []
    width = end - start + 1
    if width < 1:
        return []
    urls = []
    next_start = end + 1
    while next_start <= total_records and len(urls) < MAX_NEXT_URLS:
        window = {"startrecord": str(next_start), "endrecord": str(next_start + width - 1)}
        new_query = urlencode([(key, window.get(key, value)) for key, value in query])
        urls.append(urlunsplit(parts._replace(query=new_query)))
        next_start += width
    return urls


def _from_jpage(url: str, text: str, records: list[str]) -> ListPage:
    links = []
    for record in records:
        links.extend(_links_in_fragment(url, record))
    page = ListPage(links=_dedupe(links), pager="hanweb_jpage")
    if match := _TOTALPAGE.search(text):
        page.total = int(match.group(1))
    if match := _TOTALRECORD.search(text):
        page.total_records = int(match.group(1) or match.group(2))
        page.next_urls = _window_urls(url, page.total_records)
        group = _NEXTGROUP.search(text)
        if not page.next_urls and group and records:
            # A Hanweb column page: its first records inline, the rest from the dataproxy in the
            # <nextgroup> link, in windows as wide as the records shown.
            proxy = urljoin(url, group.group(1).replace("&amp;", "&"))
            width = len(records)
            first = f"{proxy}{'&' if '?' in proxy else '?'}startrecord=1&endrecord={width}&perpage={width}"
            page.next_urls = _window_urls(first, page.total_records)
    return page


def _links_in_fragment(base_url: str, fragment: str) -> list[ListLink]:
    """The document link of one record (a ``<li>`` fragment): its longest-titled link, date from its text."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    entry = _entry_from_element(base_url, root)
    return [entry] if entry else []


# --- JSON -----------------------------------------------------------------------------------------


def _url_in(value: Any) -> str:
    """A URL from a field that is a string, a JSON string of an object, or an object (``{"pc": …}``)."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("{"):
            try:
                return _url_in(json.loads(stripped))
            except ValueError:
                return ""
        if stripped.startswith(("http://", "https://", "/", "./", "../")) or _PAGE_LIKE.search(stripped):
            return stripped if " " not in stripped and len(stripped) < 500 else ""
        return ""
    if isinstance(value, dict):
        for key in ("pc", "url", "href", "link", "web", "www"):
            if key in value and (found := _url_in(value[key])):
                return found
        for inner in value.values():
            if found := _url_in(inner):
                return found
    return ""


def _best_key(entries: list[dict[str, Any]], keys: Iterable[str], value_ok: Any, name_pattern: re.Pattern[str]) -> str:
    best, best_score = "", 0.0
    for key in sorted(keys):
        values = [entry.get(key) for entry in entries]
        good = [v for v in values if value_ok(v)]
        if not good:
            continue
        score = len(good) / len(values) + (1.0 if name_pattern.search(key) else 0.0)
        if score > best_score:
            best, best_score = key, score
    return best


def _json_links(base_url: str, entries: list[Any]) -> tuple[list[ListLink], float]:
    """Links from an array of objects, finding the title/URL/date keys by their values."""
    dicts = [entry for entry in entries if isinstance(entry, dict)]
    if not dicts or len(dicts) < len(entries) / 2:
        return [], 0.0
    keys = {key for entry in dicts for key in entry}

    def title_ok(value: Any) -> bool:
        return isinstance(value, str) and "<" not in value and _chinese(value) >= 2 and _is_title_like(_clean(value))

    def url_ok(value: Any) -> bool:
        found = _url_in(value)
        return bool(found) and not found.lower().endswith((".json", ".js", ".css", ".png", ".jpg", ".gif"))

    title_key = _best_key(dicts, keys, title_ok, _TITLE_KEY)
    url_key = _best_key(dicts, keys - {title_key}, url_ok, _URL_KEY)
    if not title_key or not url_key:
        return [], 0.0
    date_key = _best_key(dicts, keys - {title_key, url_key}, lambda v: bool(_date_value(v)), _DATE_KEY)
    attach_key = _best_key(
        dicts,
        keys - {title_key, url_key, date_key},
        lambda v: isinstance(v, list) and any(isinstance(x, dict) for x in v),
        _ATTACH_KEY,
    )
    links, score = [], 0.0
    for entry in dicts:
        href = _url_in(entry.get(url_key))
        title = _clean(str(entry.get(title_key) or ""))
        if not href or not title:
            continue
        date = _date_value(entry.get(date_key)) if date_key else ""
        links.append(
            ListLink(
                url=urljoin(base_url, href),
                title=title,
                date=date,
                attachments=_json_attachments(base_url, entry.get(attach_key)) if attach_key else (),
            )
        )
        score += _entry_score(title, date)
    return links, score


def _json_attachments(base_url: str, value: Any) -> tuple[tuple[str, str], ...]:
    found = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        paths = [
            (key, v) for key, v in item.items()
            if isinstance(v, str) and "/" in v and _FILE_EXT.search(v.split("?")[0])
        ]
        # A file path key first (Jiangxi: filePath is the public copy, url an internal one).
        paths.sort(key=lambda pair: 0 if "path" in pair[0].lower() else 1 if _URL_KEY.search(pair[0]) else 2)
        url = paths[0][1] if paths else ""
        if not url:
            continue
        name = next(
            (str(v) for k, v in item.items() if re.search(r"name|title", k, re.I) and isinstance(v, str) and v),
            url.rsplit("/", 1)[-1],
        )
        found.append((name, urljoin(base_url, url)))
    return tuple(found)


def _arrays(data: Any, depth: int = 0) -> Iterable[list[Any]]:
    if depth > 8:
        return
    if isinstance(data, list):
        if any(isinstance(x, dict) for x in data):
            yield data
        for item in data[:5]:
            yield from _arrays(item, depth + 1)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _arrays(value, depth + 1)


def _find_total_pages(data: Any, depth: int = 0) -> int | None:
    if depth > 4 or not isinstance(data, dict):
        return None
    for key, value in data.items():
        if _TOTAL_PAGES_KEY.match(key) and (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
            return int(value)
    for value in data.values():
        if isinstance(value, dict) and (found := _find_total_pages(value, depth + 1)) is not None:
            return found
    return None


def _best_json(base_url: str, data: Any, kind: str) -> _Candidate | None:
    best: _Candidate | None = None
    for array in _arrays(data):
        links, score = _json_links(base_url, array)
        if links and (best is None or score > best.score):
            best = _Candidate(_dedupe(links), score, kind)
    return best


def _page_param_urls(url: str, total_pages: int) -> list[str]:
    """Pages 2…N of a URL carrying a page-number parameter (``page=1``, ``pageNo=1`` …)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for name in _PAGE_PARAMS:
        for key, value in query:
            if key == name and value.isdigit():
                current = int(value)
                return [
                    urlunsplit(parts._replace(query=urlencode([(k, str(n) if k == name else v) for k, v in query])))
                    for n in range(current + 1, min(total_pages, current + MAX_NEXT_URLS) + 1)
                ]
    return []


def _script_json(base_url: str, root: Any) -> _Candidate | None:
    """The best article array decoded from the page's inline scripts."""
    best: _Candidate | None = None
    decoder = json.JSONDecoder()
    for script in root.iter("script"):
        code = script.text or ""
        position = 0
        while match := _JSON_ARRAY_START.search(code, position):
            try:
                value, end = decoder.raw_decode(code, match.start())
            except ValueError:
                position = match.start() + 1
                continue
            position = end
            found = _best_json(base_url, value, "inline_json")
            if found and (best is None or found.score > best.score):
                best = found
    return best


# --- HTML lists -----------------------------------------------------------------------------------


def _furniture(element: Any) -> bool:
    """Whether an element sits in navigation, a header/footer, friend links or a breadcrumb."""
    for node in element.iterancestors():
        if node.tag in ("nav", "footer", "header", "select"):
            return True
        marks = f"{node.get('class', '')} {node.get('id', '')}".lower()
        for token in _TOKENS.findall(marks):
            if any(token.startswith(word) or token.endswith(word) for word in FURNITURE_WORDS):
                return True
    return False


_BULLETS = "·•●◆■▪>»-— \u3000"
_ONLY_DATE = re.compile(r"^[\[【(（]?\s*\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?\s*[\]】)）]?$")


def _anchor_text(anchor: Any) -> str:
    """The link text without a date or bullet the anchor wraps (``<a>title<span>2024-03-05</span></a>``)."""
    text = _clean(anchor.text_content())
    for inner in anchor.iterdescendants():
        inner_text = _clean(inner.text_content()) if isinstance(inner.tag, str) else ""
        if inner_text and _ONLY_DATE.match(inner_text):
            text = _clean(text.replace(inner_text, " "))
    return text.lstrip(_BULLETS)


def _title_beside(element: Any, anchor: Any) -> str:
    """The longest title-like text of a block outside its link and not a date (at least 8 characters)."""
    best = ""
    for node in element.iter():
        if not isinstance(node.tag, str) or node is anchor or node.tag == "a" or len(node):
            continue
        text = _clean(node.text_content()).lstrip(_BULLETS)
        if len(text) > len(best) and len(text) >= 8 and _chinese(text) >= 4 and not _ONLY_DATE.match(text):
            best = text
    return best


def _entry_from_element(base_url: str, element: Any) -> ListLink | None:
    """One list entry: the block's title link (at most 3 links in it) and the date in its text."""
    anchors = [a for a in element.iter("a") if _usable_href(a.get("href"))]
    if not anchors or len(anchors) > 3:
        return None
    best, best_title = None, ""
    for anchor in anchors:
        title = _pick_title(_anchor_text(anchor), anchor.get("title", ""))
        if _is_title_like(title) and len(title) > len(best_title):
            best, best_title = anchor, title
    if best is None:
        if len(anchors) != 1:
            return None
        # 信息公开 tables: the title in its own cell, the one link is "查看"/"详情".
        best, best_title = anchors[0], _title_beside(element, anchors[0])
        if not best_title:
            return None
    href = best.get("href", "").strip()
    if _FILE_EXT.search(href.split("?")[0]) and len(anchors) > 1:
        return None
    text = _clean(element.text_content())
    date = normalise_date(text.replace(best_title, " ")) or normalise_date(text)
    return ListLink(url=urljoin(base_url, href), title=best_title, date=date)


def _html_candidates(base_url: str, root: Any) -> list[_Candidate]:
    """Score groups of repeated sibling blocks; blocks with the same shape under one grandparent merge."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    tree = root.getroottree()
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        for child in parent:
            if isinstance(child.tag, str) and child.tag in _ENTRY_TAGS:
                grand = parent.getparent()
                key = (tree.getpath(grand) if grand is not None else "", parent.tag, parent.get("class", ""), child.tag, child.get("class", ""))
                groups.setdefault(key, []).append(child)
    candidates = []
    for key, children in groups.items():
        if key[3] == "div" and any(child.find(".//li") is not None for child in children):
            continue  # a layout div around a list: the list itself is the candidate
        entries = [entry for child in children if (entry := _entry_from_element(base_url, child))]
        entries = _dedupe(entries)
        if not entries:
            continue
        score = sum(_entry_score(link.title, link.date) for link in entries)
        score *= len(entries) / len(children)
        dated = sum(1 for link in entries if link.date)
        average = sum(len(link.title) for link in entries) / len(entries)
        if average < 8:
            score *= 0.3
        if len(entries) == 1 and not dated:
            score *= 0.3
        furniture = _furniture(children[0])
        if furniture:
            score *= 0.2 if dated < len(entries) / 2 else 0.6
        worded = sum(1 for link in entries if any(word in link.title for word in TITLE_WORDS))
        if not dated and (furniture or (worded < 0.3 * len(entries) and average < 10)):
            continue  # menus and friend links: undated, in page furniture or short without policy words
        candidates.append(_Candidate(entries, score, "html"))
    return candidates


# --- pagination -----------------------------------------------------------------------------------


def _same_folder(first: str, other: str) -> bool:
    """Pages of one column share its folder (``…/zcwj/index_2.html``); other columns' pages do not."""
    a, b = urlsplit(first), urlsplit(other)
    return (a.netloc, a.path.rsplit("/", 1)[0]) == (b.netloc, b.path.rsplit("/", 1)[0])


def _html_pagination(base_url: str, text: str, root: Any, page: ListPage) -> None:
    urls: list[str] = []
    if match := _CREATE_PAGE.search(text):
        total, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        page.total, page.pager = total, "createPageHTML"
        for number in range(current + 1, min(total, current + 1 + MAX_NEXT_URLS)):
            urls.append(urljoin(base_url, f"{name}_{number}.{ext}"))
    elif match := _CREATE_PAGE_VARS.search(text):
        # var countPage = 5; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "html")
        count, current = _CREATE_PAGE_COUNT.search(text), _CREATE_PAGE_CURRENT.search(text)
        if count:
            total, number = int(count.group(1)), int(current.group(1)) if current else 0
            name, ext = match.group(1) or "index", match.group(2) or "html"
            page.total, page.pager = total, "createPageHTML"
            for n in range(number + 1, min(total, number + 1 + MAX_NEXT_URLS)):
                urls.append(urljoin(base_url, f"{name}_{n}.{ext}"))
    elif match := _CREATE_PAGE_TOTAL.search(text):
        page.total, page.pager = int(match.group(1)), "createPageHTML"
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not _usable_href(href):
            continue
        label = _clean(anchor.text_content())
        marks = f"{anchor.get('class', '')} {anchor.get('id', '')}".lower()
        if label in NEXT_TEXTS or "next" in marks.split() or label.startswith("下一页"):
            urls.append(urljoin(base_url, href))
            page.pager = page.pager or "next_link"
        elif _INDEX_PAGE.search(href.split("?")[0]) and _same_folder(base_url, urljoin(base_url, href)):
            urls.append(urljoin(base_url, href))
            page.pager = page.pager or "index_n"
    current = base_url.split("#")[0]
    page.next_urls = [url for url in dict.fromkeys(urls) if url != current]


# --- entry point ----------------------------------------------------------------------------------


def _parse_html(text: str) -> Any:
    cleaned = _XML_DECL.sub("", _CLOSING_ROOT.sub("", text))
    try:
        return lxml.html.document_fromstring(cleaned or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def extract_list(url: str, text: str) -> ListPage:
    """The document links of a list page found by shape alone (no selectors), plus its pagination."""
    text = text.lstrip("\ufeff")
    records = _CDATA_RECORD.findall(text)
    if records and ("<recordset" in text or "<datastore" in text):
        return _from_jpage(url, text, records)
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if data is not None:
            found = _best_json(url, data, "json_api")
            page = ListPage(links=found.links if found else [], pager="")
            total = _find_total_pages(data)
            if total is not None:
                page.total, page.pager = total, "json"
                page.next_urls = _page_param_urls(url, total)
            return page
    root = _parse_html(text)
    base = root.find(".//base")
    base_url = urljoin(url, base.get("href")) if base is not None and base.get("href") else url
    candidates = _html_candidates(base_url, root)
    inline = _script_json(base_url, root)
    if inline is not None:
        candidates.append(inline)
    page = ListPage()
    if candidates:
        best = max(candidates, key=lambda candidate: candidate.score)
        page.links = best.links
    _html_pagination(url, text, root, page)
    return page


def describe(page: ListPage, titles: int = 3) -> str:
    """One line for an operator: how many links, the pager seen, the first titles."""
    shown = "; ".join(f"{link.title[:40]} ({link.date or 'no date'})" for link in page.links[:titles])
    pager = f", pagination: {page.pager} ({len(page.next_urls)} more pages)" if page.pager else ""
    return f"{len(page.links)} links{pager}" + (f" — {shown}" if shown else "")
