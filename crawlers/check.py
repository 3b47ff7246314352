"""``policywatch sources check``: fetch a source's live pages and say what its definition finds.

Per source: was the list page read, how many document links, does pagination lead somewhere, and
on a sample detail page which fields were found (title, body, 政府信息公开 fields, attachments).
It is what an operator runs on the first day with network. It obeys robots.txt, sends the
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
from urllib.parse import urlsplit

from crawlers.catalog import SourceDefinition
from crawlers.encoding import sniff_encoding
from crawlers.layouts import pagination_urls, parse_list

Fetch = Callable[[str], tuple[int, str, bytes]]  # url -> (status, content type, body)

DETAIL_FIELDS = ("index_no", "issuer", "issue_date", "doc_number", "publish_date")


@dataclass
class SourceCheck:
    """What one live check found; ``problems`` says in words what did not work."""

    source_id: str
    list_url: str
    list_ok: bool = False
    links: int = 0
    pagination: str = "n/a"  # "found", "not found", "n/a" (kind none)
    second_page_links: int = 0
    detail_url: str = ""
    detail: dict[str, bool] = field(default_factory=dict)
    detail_values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

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


def _text(fetch: Fetch, url: str) -> str:
    status, content_type, body = fetch(url)
    if status != 200:
        raise OSError(f"HTTP {status}")
    return body.decode(sniff_encoding(body, content_type), errors="replace")


def check_source(source: SourceDefinition, fetch: Fetch, page_cap: int = 50) -> SourceCheck:
    """Check one source: list, links, pagination, one detail page."""
    url = source.list_urls[0]
    result = SourceCheck(source.id, url)
    try:
        page = parse_list(source, url, _text(fetch, url))
    except (OSError, ValueError) as exc:
        result.problems.append(f"list page {url} not read: {exc}")
        return result
    result.list_ok = True
    result.links = len(page.links)
    if not page.links:
        result.problems.append("no document links found on the list page (check [links] selectors)")
    if source.pagination.kind != "none":
        more = page.next_urls + pagination_urls(source, url, page.total, page_cap)
        result.pagination = "found" if more else "not found"
        if more:
            try:
                second = parse_list(source, more[0], _text(fetch, more[0]))
                result.second_page_links = len(second.links)
            except (OSError, ValueError) as exc:
                result.problems.append(f"second list page {more[0]} not read: {exc}")
    if page.links:
        _check_detail(source, page.links[0].url, page.links[0].title, fetch, result)
    return result


def _check_detail(source: SourceDefinition, url: str, list_title: str, fetch: Fetch, result: SourceCheck) -> None:
    from consumers.analysis.page import extract_page

    result.detail_url = url
    try:
        html = _text(fetch, url)
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
    result.detail["attachments"] = bool(page.attachments)
    if page.title:
        result.detail_values["title"] = page.title
    if not result.detail["title"]:
        result.problems.append("detail page: no title found (check [detail] title)")
    if not result.detail["body"]:
        result.problems.append("detail page: body shorter than 200 characters (check [detail] body)")


def check_sources(
    sources: Sequence[SourceDefinition],
    *,
    user_agent: str,
    timeout_s: float = 30.0,
    max_bytes: int = 20 * 1024 * 1024,
    delay_s: float = 1.0,
    fetch: Fetch | None = None,
) -> list[SourceCheck]:
    """Check each source in turn (``delay_s`` between sources, to stay polite)."""
    getter = fetch or urllib_fetch(user_agent, timeout_s, max_bytes)
    results = []
    for index, source in enumerate(sources):
        if index and delay_s:
            time.sleep(delay_s)
        try:
            results.append(check_source(source, getter))
        except PermissionError as exc:
            results.append(SourceCheck(source.id, source.list_urls[0], problems=[str(exc)]))
    return results


def render_report(results: Sequence[SourceCheck]) -> str:
    """The operator's report: one block per source, found fields marked ✓ / ✗."""
    blocks = []
    for r in results:
        lines = [f"{r.source_id}: {'OK' if r.ok else 'PROBLEMS'}  ({r.list_url})"]
        lines.append(f"  list: {'read' if r.list_ok else 'NOT read'}, {r.links} document links")
        if r.pagination != "n/a":
            lines.append(f"  pagination: {r.pagination}, next page {r.second_page_links} links")
        if r.detail_url:
            marks = " ".join(f"{name} {'✓' if found else '✗'}" for name, found in r.detail.items())
            lines.append(f"  detail {r.detail_url}: {marks}")
            for name, value in r.detail_values.items():
                lines.append(f"    {name}: {value[:80]}")
        lines.extend(f"  problem: {problem}" for problem in r.problems)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
