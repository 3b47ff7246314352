"""List-page parsers, one per layout, registered by name: pure functions of (source, URL, text).

They are kept free of Scrapy so that ``sources check`` and the tests run them on saved real pages.
A layout that truly needs code is a new function in ``LIST_PARSERS`` plus its name in the
catalog's ``Layout``; everything else about a site is data in its TOML file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawlers.autolist import extract_list
from crawlers.catalog import SourceDefinition
from crawlers.listpage import ListLink, ListPage, lenient_selector, normalise_date

_CDATA_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _links_from_html(source: SourceDefinition, base_url: str, selector: Selector) -> list[ListLink]:
    rules = source.links
    links = []
    for item in selector.css(rules.item):
        href = item.css(rules.link).get()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href.strip())
        if rules.url_regex and not re.search(rules.url_regex, url):
            continue
        title = _clean(item.css(rules.title).get()) if rules.title else ""
        if not title and rules.title_fallback:
            title = _clean(" ".join(item.css(rules.title_fallback).getall()))
        date = normalise_date(" ".join(item.css(rules.date).getall())) if rules.date else ""
        links.append(ListLink(url=url, title=title, date=date))
    return links


def _total_from_text(source: SourceDefinition, text: str) -> int | None:
    pattern = source.pagination.total_regex
    if not pattern:
        return None
    match = re.search(pattern, text)
    return int(match.group(1)) if match else None


def _dig(data: Any, path: str) -> Any:
    for part in [p for p in path.split(".") if p]:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _url_value(value: Any, key: str) -> str:
    if isinstance(value, str) and key and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return ""
    if isinstance(value, dict):
        value = value.get(key, "")
    return value if isinstance(value, str) else ""


def _links_from_json(source: SourceDefinition, base_url: str, entries: Any) -> list[ListLink]:
    rules = source.json
    links = []
    if not isinstance(entries, list):
        return links
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        href = _url_value(entry.get(rules.url_field), rules.url_key)
        if not href:
            continue
        attachments: list[tuple[str, str]] = []
        if rules.attachments_field:
            for item in entry.get(rules.attachments_field) or []:
                if isinstance(item, dict) and item.get(rules.attachment_url_field):
                    attachments.append(
                        (
                            str(item.get(rules.attachment_name_field, "")),
                            urljoin(base_url, str(item[rules.attachment_url_field])),
                        )
                    )
        links.append(
            ListLink(
                url=urljoin(base_url, href),
                title=_clean(str(entry.get(rules.title_field, ""))),
                date=normalise_date(str(entry.get(rules.date_field, ""))),
                attachments=tuple(attachments),
            )
        )
    return links


def parse_static(source: SourceDefinition, url: str, text: str) -> ListPage:
    selector = lenient_selector(text)
    page = ListPage(links=_links_from_html(source, url, selector), total=_total_from_text(source, text))
    if source.pagination.kind == "next_link":
        for href in selector.css(source.pagination.next_css).getall():
            if href and not href.startswith("javascript:"):
                page.next_urls.append(urljoin(url, href.strip()))
    return page


def parse_json_api(source: SourceDefinition, url: str, text: str) -> ListPage:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"list page {url} is not JSON: {exc}") from exc
    total = _dig(data, source.pagination.total_path) if source.pagination.total_path else None
    return ListPage(
        links=_links_from_json(source, url, _dig(data, source.json.items_path)),
        total=int(total) if isinstance(total, int | str) and str(total).isdigit() else None,
    )


def parse_inline_json(source: SourceDefinition, url: str, text: str) -> ListPage:
    """Entries embedded as a JSON array in a page script (Jiangxi 集约化 platform: ``articleList: [...]``)."""
    marker = source.json.script_marker
    start = text.find(marker)
    if start < 0:
        return ListPage(total=_total_from_text(source, text))
    bracket = text.find("[", start + len(marker))
    try:
        entries, _ = json.JSONDecoder().raw_decode(text, bracket)
    except ValueError as exc:
        raise ValueError(f"list page {url}: the array after {marker!r} is not JSON: {exc}") from exc
    if source.json.items_path:
        entries = _dig(entries, source.json.items_path)
    base = Selector(text=text).css("base::attr(href)").get()
    base_url = urljoin(url, base) if base else url
    return ListPage(
        links=_links_from_json(source, base_url, entries), total=_total_from_text(source, text)
    )


def parse_hanweb_jpage(source: SourceDefinition, url: str, text: str) -> ListPage:
    """Hanweb (大汉) ``dataproxy.jsp`` paging XML: each ``<record>`` wraps one ``<li>`` in CDATA."""
    records = _CDATA_RECORD.findall(text)
    selector = Selector(text="<ul>" + "".join(records) + "</ul>")
    return ListPage(links=_links_from_html(source, url, selector), total=_total_from_text(source, text))


def parse_auto(source: SourceDefinition, url: str, text: str) -> ListPage:
    """No selectors: ``crawlers.autolist`` finds the list by its shape (``[links] url_regex`` still
    filters). Without a ``[pagination]`` kind the pagination it recognises is followed; with one,
    the source's own rule replaces it."""
    page = extract_list(url, text)
    if source.links.url_regex:
        page.links = [link for link in page.links if re.search(source.links.url_regex, link.url)]
    rules = source.pagination
    if rules.kind != "none":
        page.next_urls = []
        if rules.total_regex:
            page.total = _total_from_text(source, text)
        elif rules.total_path:
            try:
                total = _dig(json.loads(text), rules.total_path)
            except ValueError:
                total = None
            page.total = int(total) if isinstance(total, int | str) and str(total).isdigit() else None
        else:
            page.total = None
        if rules.kind == "next_link":
            selector = lenient_selector(text)
            for href in selector.css(rules.next_css).getall():
                if href and not href.startswith("javascript:"):
                    page.next_urls.append(urljoin(url, href.strip()))
    return page


LIST_PARSERS: dict[str, Callable[[SourceDefinition, str, str], ListPage]] = {
    "static": parse_static,
    "json_api": parse_json_api,
    "inline_json": parse_inline_json,
    "hanweb_jpage": parse_hanweb_jpage,
    "auto": parse_auto,
}


def parse_list(source: SourceDefinition, url: str, text: str) -> ListPage:
    """Parse one list page with its source's layout; links de-duplicated in page order."""
    page = LIST_PARSERS[source.layout](source, url, text)
    seen: set[str] = set()
    unique = []
    for link in page.links:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    page.links = unique
    return page


def template_url(source: SourceDefinition, first_url: str, number: int) -> str:
    """URL of list page ``number`` (the first page is 1) of a ``template`` pagination."""
    rules = source.pagination
    start = (number - 1) * rules.per_page + 1
    relative = rules.template.format(
        n=number - 2 + rules.first_index, page=number, start=start, end=start + rules.per_page - 1
    )
    return urljoin(first_url, relative)


def in_domains(url: str, domains: list[str] | tuple[str, ...]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or a subdomain of one (empty: any host)."""
    if not domains:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def is_sequential(source: SourceDefinition) -> bool:
    """Template pagination without a known total: pages are read until one brings nothing new."""
    rules = source.pagination
    return rules.kind == "template" and not rules.total_regex and not rules.total_path


def pagination_urls(source: SourceDefinition, first_url: str, total: int | None, cap: int) -> list[str]:
    """Further list-page URLs of a ``template`` pagination, at most ``cap - 1`` of them."""
    rules = source.pagination
    if rules.kind != "template" or total is None:
        return []
    pages = total if rules.total_is == "pages" else -(-total // rules.per_page)
    return [template_url(source, first_url, number) for number in range(2, min(pages, cap) + 1)]
