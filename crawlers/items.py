"""What the spider yields: a fetched detail page, or a known page that is gone.

Plain dataclasses so ``scrapy crawl … -o items.jl`` exports them as they are; the bus pipeline
turns them into ``PageFetched`` / ``PageGone`` events.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    """A detail page as served, decoded by the encoding middleware."""

    source_id: str
    url: str
    final_url: str
    status: int
    fetched_at: str
    encoding: str
    html: str
    body_sha256: str
    list_title: str = ""
    list_date: str = ""
    region_hint: str = ""
    detail_hints: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, str]] = field(default_factory=list)
    warc_record: str = ""
    validators: dict[str, str] = field(default_factory=dict)  # etag, last_modified, content_type


@dataclass
class GoneItem:
    """A known detail URL that answered 404/410."""

    source_id: str
    url: str
    status: int
    reason: str
    observed_at: str
