"""How a crawl tells that a source went wrong in a way no HTTP status says: a WAF or captcha page in
place of the content, a list that suddenly yields nothing, or a layout its selectors no longer match.

Free of Scrapy on purpose: the daemon reads these rules without loading the crawler (crawls are child
processes). Three signals, collected while crawling and read after it (``source_problems``):

- ``crawlers.block_pages.BlockPageMiddleware`` recognises the challenge pages Chinese portals' WAFs serve (加速乐, 安全狗,
  云锁, 创宇盾, Cloudflare, slider captchas), usually with status 200. Such a page is refused like a
  failed download — never parsed as a list nor published as a document — and counted.
- The spider counts the links its selectors found (``policywatch/list_links``) and, on a list page
  where they found none, the anchors that still look like document titles (long texts): a column that
  is really empty keeps only its short navigation links; a changed layout still shows its titles.
"""

from __future__ import annotations

import re
from typing import Any

BLOCKED_STAT = "policywatch/health/blocked"
BLOCKED_SIGN_STAT = "policywatch/health/blocked_sign"
LIST_LINKS_STAT = "policywatch/list_links"
TITLE_ANCHORS_STAT = "policywatch/health/title_anchors_on_empty_lists"

CAPTCHA = "captcha"
EMPTY_LIST = "empty_list"
LAYOUT_CHANGED = "layout_changed"
PROBLEMS = (CAPTCHA, EMPTY_LIST, LAYOUT_CHANGED)

# Markers of challenge pages (in the first few KB). Each is specific enough not to occur in a policy
# text or a column page: cookie names of the WAF products, or the phrases of their challenge pages.
BLOCK_SIGNS = re.compile(
    r"__jsl_clearance|_waf_bd8ce2ce37|yunsuo_session_verify|safedog|安全狗|创宇盾|"
    r"cf-chl-|challenge-platform|Attention Required! \| Cloudflare|"
    r"请完成(?:安全)?验证|滑动(?:滑块)?(?:完成|进行)验证|拖动滑块|访问验证|安全验证|人机验证|"
    r"您的访问(?:请求)?(?:被拦截|已被拦截|可能对网站造成安全威胁)|网站防火墙|WAF拦截",
    re.IGNORECASE,
)
SNIFF_CHARS = 8192
# A text this long in an anchor is a document title, not a menu entry (首页, 政策文件, 更多 …) ...
TITLE_CHARS = 10
# ... when it links to a page named like a document (t20250301_123456.html, content_7890.html,
# art_1_2.html): menus and portal links lead to index pages and home pages without such numbers.
DOCUMENT_HREF = re.compile(r"\d{4,}[^/]*$|\d+_\d+[^/]*$")
# At least this many title links on a list page where the selectors found nothing: the documents are
# still listed, the markup around them changed.
LAYOUT_TITLES = 1


def block_sign(text: str) -> str | None:
    """The WAF/captcha marker found at the top of a page, if any."""
    match = BLOCK_SIGNS.search(text[:SNIFF_CHARS])
    return match.group(0) if match else None


def title_anchors(response: Any) -> int:
    """Links on the page that look like a document's: a title-long text, a document-like address."""
    try:
        anchors = response.css("a[href]")
    except (ValueError, AttributeError):  # not markup (a JSON list)
        return 0
    count = 0
    for anchor in anchors:
        text = "".join(anchor.css("::text").getall()).strip()
        href = (anchor.attrib.get("href") or "").split("?")[0].split("#")[0]
        if len(text) >= TITLE_CHARS and DOCUMENT_HREF.search(href):
            count += 1
    return count


def source_problems(stats: dict[str, Any], had_items: bool) -> list[str]:
    """What is wrong with a source after a crawl, from the crawl's summary (``crawlers.runner``).

    ``had_items``: the source yielded documents before (an empty list is news only then).
    """
    problems: list[str] = []
    if int(stats.get("blocked", 0) or 0):
        problems.append(CAPTCHA)
        return problems  # a challenge page in place of the list says nothing of the list
    if not int(stats.get("list_pages", 0) or 0) or int(stats.get("list_links", 0) or 0):
        return problems
    if int(stats.get("title_anchors", 0) or 0) >= LAYOUT_TITLES:
        problems.append(LAYOUT_CHANGED)
    elif had_items:
        problems.append(EMPTY_LIST)
    return problems
