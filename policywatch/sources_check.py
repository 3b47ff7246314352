"""``policywatch sources check``: fetch a source's live pages and say what its definition finds.

Per source: was the list page read, how many document links, does pagination lead to a second
page (fetched by the source's own pagination rule, the page cap and ``max_pages`` honoured), and
on a sample detail page which fields were found (title, body, 政府信息公开 fields, the
``[detail] meta_table`` selector, attachments). A source with its own spider class is parsed and
paginated through that class's hooks (``read_list_page``, ``next_list_urls``).
Whatever the layout, it also reports what the selector-free extractor (``layout = "auto"``,
``crawlers.autolist``) finds on the same list page — its count and first titles — a quick way to
write or repair selectors. It is what an operator runs on the first day with network. It obeys robots.txt, sends the
configured User-Agent, and fetches at most a handful of pages per source, one at a time.
Detail fields are found with the analysis stage's own extractor (``consumers.analysis.page``).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from crawlers.catalog import SourceDefinition
from crawlers.layouts import is_sequential
from crawlers.listpage import lenient_selector
from zhtext.decoding import sniff_encoding

Fetch = Callable[[str], tuple[int, str, bytes]]  # url -> (status, content type, body)

DETAIL_FIELDS = ("index_no", "issuer", "issue_date", "doc_number", "publish_date")


@dataclass
class SourceCheck:
    """What one live check found; ``problems`` says in words what did not work."""

    source_id: str
    list_url: str
    list_ok: bool = False
    links: int = 0
    pagination: str = "n/a"  # "found", "not found", "missing" (page 2 not served), "n/a" (no page 2 to read)
    second_page_url: str = ""
    second_page_links: int = 0
    second_page_new_links: int = 0  # links page 1 did not show
    notes: list[str] = field(default_factory=list)  # information that is not a problem
    detail_url: str = ""
    detail: dict[str, bool] = field(default_factory=dict)
    detail_values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    auto_links: int = 0  # what the selector-free extractor (layout "auto") finds on the same list page
    auto_summary: str = ""  # its count, pagination and first titles, for writing or repairing selectors

    @property
    def ok(self) -> bool:
        return not self.problems


def urllib_fetch(user_agent: str, timeout_s: float, max_bytes: int) -> Fetch:
    """A plain, polite HTTP GET (no cookies, no JS), honouring robots.txt per host."""
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def allowed(url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in robots:
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            try:
                request = urllib.request.Request(origin + "/robots.txt", headers={"User-Agent": user_agent})
                with urllib.request.urlopen(request, timeout=timeout_s) as response:
                    parser.parse(response.read(65536).decode("utf-8", "replace").splitlines())
            except (urllib.error.URLError, OSError, ValueError):
                parser.parse([])  # no robots.txt: everything allowed
            robots[origin] = parser
        return robots[origin].can_fetch(user_agent, url)

    def fetch(url: str) -> tuple[int, str, bytes]:
        if not allowed(url):
            raise PermissionError(f"robots.txt disallows {url}")
        request = urllib.request.Request(url, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read(max_bytes + 1)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), b""

    return fetch


class HttpStatus(OSError):
    """A page answered with a status other than 200."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def _text(fetch: Fetch, url: str, source: SourceDefinition) -> str:
    status, content_type, body = fetch(url)
    if status != 200:
        raise HttpStatus(status)
    encoding = sniff_encoding(
        body, content_type, declared=source.encoding.declared, fallback=source.encoding.fallback
    )
    return body.decode(encoding, errors="replace")


def _spider_of(source: SourceDefinition) -> Any:
    """The spider class a crawl of this source uses (its hooks parse and paginate the lists)."""
    from crawlers.spiders.generic import GenericSpider, spider_class

    return spider_class(source) if source.spider else GenericSpider


def check_source(source: SourceDefinition, fetch: Fetch, page_cap: int = 50) -> SourceCheck:
    """Check one source: list, links, the second list page, one detail page."""
    from crawlers.spiders.generic import GenericSpider

    spider = _spider_of(source)
    url = source.list_urls[0]
    result = SourceCheck(source.id, url)
    if source.spider and (spider.start is not GenericSpider.start or spider._list_request is not GenericSpider._list_request):
        result.notes.append(
            f"spider {source.spider} changes how list pages are requested; this check fetched them with "
            f"plain GETs: run scrapy crawl {source.id} to test the requests themselves"
        )
    try:
        text = _text(fetch, url, source)
        page = spider.read_list_page(source, url, text)
    except (OSError, ValueError) as exc:
        result.problems.append(f"list page {url} not read: {exc}")
        return result
    _auto_suggestion(url, text, result)
    result.list_ok = True
    result.links = len(page.links)
    if not page.links:
        result.problems.append("no document links found on the list page (check [links] selectors)")
    _check_second_page(source, spider, page, fetch, page_cap, result)
    if page.links:
        _check_detail(source, page.links[0].url, page.links[0].title, fetch, result)
    return result


def _auto_suggestion(url: str, text: str, result: SourceCheck) -> None:
    """Information, never a problem: what ``layout = "auto"`` finds, to compare with the selectors."""
    from crawlers.autolist import describe, extract_list

    try:
        auto = extract_list(url, text)
    except (ValueError, RecursionError) as exc:  # a heuristic must never break a check
        result.auto_summary = f"failed: {exc}"
        return
    result.auto_links = len(auto.links)
    result.auto_summary = describe(auto)


def _check_second_page(
    source: SourceDefinition, spider: Any, page: Any, fetch: Fetch, page_cap: int, result: SourceCheck
) -> None:
    """Fetch the page the pagination rule leads to, as a crawl would (bounded like a crawl)."""
    rules = source.pagination
    limit = min(rules.max_pages, page_cap) if rules.max_pages else page_cap
    if rules.kind == "none" or limit < 2:
        if rules.kind != "none":
            result.notes.append(f"pagination: only one list page is read (max_pages {rules.max_pages}, page cap {page_cap})")
        return
    more = [u for u in spider.next_list_urls(source, result.list_url, page, 1, page_cap) if u != result.list_url]
    if not more:
        result.pagination = "not found"
        if is_sequential(source):
            result.problems.append("pagination: no second page to read (the first page showed no links)")
        return
    second_url = result.second_page_url = more[0]
    try:
        second = spider.read_list_page(source, second_url, _text(fetch, second_url, source))
    except HttpStatus as exc:
        result.pagination = "missing"
        result.problems.append(
            f"second list page {second_url} not read: {exc}"
            + (" (wrong pagination.template, unless the column has a single page)" if exc.status == 404 else "")
        )
        return
    except (OSError, ValueError) as exc:
        result.pagination = "missing"
        result.problems.append(f"second list page {second_url} not read: {exc}")
        return
    first_urls = {link.url for link in page.links}
    result.pagination = "found"
    result.second_page_links = len(second.links)
    result.second_page_new_links = sum(1 for link in second.links if link.url not in first_urls)
    if not second.links:
        result.problems.append(f"second list page {second_url} shows no document links")
    elif not result.second_page_new_links:
        result.problems.append(
            f"second list page {second_url} shows only the links of the first page (pagination rule ignored by the site?)"
        )


def _check_detail(source: SourceDefinition, url: str, list_title: str, fetch: Fetch, result: SourceCheck) -> None:
    from consumers.analysis.page import extract_page

    result.detail_url = url
    try:
        html = _text(fetch, url, source)
    except (OSError, ValueError) as exc:
        result.problems.append(f"detail page {url} not read: {exc}")
        return
    hints = {**source.detail_hints(), "list_title": list_title}
    page = extract_page(html, url, hints)
    result.detail["title"] = bool(page.title)
    result.detail["body"] = len(page.text) >= 200
    for name in DETAIL_FIELDS:
        result.detail[name] = bool(page.fields.get(name))
        if page.fields.get(name):
            result.detail_values[name] = page.fields[name]
    if source.detail.meta_table:
        result.detail["meta_table"] = _matches(html, source.detail.meta_table)
    result.detail["attachments"] = bool(page.attachments)
    if page.title:
        result.detail_values["title"] = page.title
    if not result.detail["title"]:
        result.problems.append("detail page: no title found (check [detail] title)")
    if not result.detail["body"]:
        result.problems.append("detail page: body shorter than 200 characters (check [detail] body)")
    if result.detail.get("meta_table") is False:
        result.problems.append(
            f"detail page: [detail] meta_table {source.detail.meta_table!r} matches nothing (fix or remove it)"
        )


def _matches(html: str, css: str) -> bool:
    """Whether a CSS selector finds an element with text on the page (an invalid selector: no)."""
    try:
        selector: Selector = lenient_selector(html)
        return any(" ".join(el.css("::text").getall()).strip() for el in selector.css(css))
    except (ValueError, SyntaxError):
        return False


def check_sources(
    sources: Sequence[SourceDefinition],
    *,
    user_agent: str,
    timeout_s: float = 30.0,
    max_bytes: int = 20 * 1024 * 1024,
    delay_s: float = 1.0,
    fetch: Fetch | None = None,
    page_cap: int = 50,
) -> list[SourceCheck]:
    """Check each source in turn (``delay_s`` between sources, to stay polite).

    ``page_cap`` is ``settings.crawl.page_cap``: a cap of 1 means a crawl never reads page 2."""
    getter = fetch or urllib_fetch(user_agent, timeout_s, max_bytes)
    results = []
    for index, source in enumerate(sources):
        if index and delay_s:
            time.sleep(delay_s)
        try:
            results.append(check_source(source, getter, page_cap))
        except PermissionError as exc:
            results.append(SourceCheck(source.id, source.list_urls[0], problems=[str(exc)]))
    return results


def render_report(results: Sequence[SourceCheck]) -> str:
    """The operator's report: one block per source, found fields marked ✓ / ✗."""
    blocks = []
    for r in results:
        lines = [f"{r.source_id}: {'OK' if r.ok else 'PROBLEMS'}  ({r.list_url})"]
        lines.append(f"  list: {'read' if r.list_ok else 'NOT read'}, {r.links} document links")
        if r.auto_summary:
            lines.append(f"  auto layout finds: {r.auto_summary}")
        if r.pagination == "found":
            lines.append(
                f"  pagination: found, next page {r.second_page_links} links "
                f"({r.second_page_new_links} new)  {r.second_page_url}"
            )
        elif r.pagination != "n/a":
            lines.append(f"  pagination: {r.pagination}  {r.second_page_url}".rstrip())
        if r.detail_url:
            marks = " ".join(f"{name} {'✓' if found else '✗'}" for name, found in r.detail.items())
            lines.append(f"  detail {r.detail_url}: {marks}")
            for name, value in r.detail_values.items():
                lines.append(f"    {name}: {value[:80]}")
        lines.extend(f"  note: {note}" for note in r.notes)
        lines.extend(f"  problem: {problem}" for problem in r.problems)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
