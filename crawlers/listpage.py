"""What a column list page yields — document links with their list title and date, and what it says about
pagination — shared by the layout parsers, the selector-free extractor and the spider."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsel import Selector

_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


@dataclass(frozen=True)
class ListLink:
    """One document link as its list page shows it."""

    url: str
    title: str = ""
    date: str = ""
    attachments: tuple[tuple[str, str], ...] = ()


@dataclass
class ListPage:
    """What one list page yielded: links, and what it says about pagination."""

    links: list[ListLink] = field(default_factory=list)
    total: int | None = None
    next_urls: list[str] = field(default_factory=list)
    total_records: int | None = None  # records in the whole list, when the page says (Hanweb)
    pager: str = ""  # the pagination the ``auto`` layout recognised ("createPageHTML", "next_link" …)


def normalise_date(text: str) -> str:
    """'2018年6月19日', '2018/6/19 11:45', '2018-06-19' → '2018-06-19'; '' when there is no date."""
    match = _DATE.search(text or "")
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


_CLOSING_ROOT = re.compile(r"</\s*(?:html|body)\s*>", re.I)


def lenient_selector(text: str) -> Selector:
    """A selector that keeps content after a stray ``</html>`` (TRS header includes close the page
    early: realpages dev01), which lxml would otherwise drop."""
    return Selector(text=_CLOSING_ROOT.sub("", text))
