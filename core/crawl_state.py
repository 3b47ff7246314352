"""The incremental-recrawl state of one source, as it crosses between the store and a crawl process.

The state lives in the database (``storage.crawl_state``): crawl workers may run on other machines, and
a page may count as seen only once its document version is committed. The application reads a
source's state before a crawl and hands it to the crawl process as a snapshot file; the crawl writes
back a report in the same format, holding only what is safe to keep without the store's commit:

- **list pages** (validators, body hash and body, so a list answering 304 can still be parsed);
- **detail pages whose body hash equals the committed one** (the content is already stored; only
  their validators moved);
- the **window** of a newest-pages-only source (``crawlers.incremental.WindowState``).

Detail pages that are new or changed are never in a report: the store stage records them in the
transaction that commits their version, from the validators their events carry (``PageValidators``).
This module is the contract between ``crawlers`` and ``storage``, which never import each other.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("list", "detail")


@dataclass(frozen=True)
class PageState:
    """What is known of one URL: its body hash and the validators the server gave with it."""

    url: str
    kind: str
    sha256: str
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    body: bytes | None = None  # list pages only

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: v for k, v in self.__dict__.items() if k != "body"}
        data["body"] = base64.b64encode(self.body).decode("ascii") if self.body is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageState:
        body = data.get("body")
        return cls(
            url=str(data["url"]), kind=str(data["kind"]), sha256=str(data["sha256"]),
            etag=str(data.get("etag", "")), last_modified=str(data.get("last_modified", "")),
            content_type=str(data.get("content_type", "")),
            body=base64.b64decode(body) if body is not None else None,
        )


@dataclass
class WindowSnapshot:
    """A newest-pages-only source: the URLs its window showed last crawl, and those that left it (URL →
    when it left, ISO time) and still wait for their removal probe."""

    window: list[str] = field(default_factory=list)
    departed: dict[str, str] = field(default_factory=dict)


@dataclass
class CrawlState:
    """One source's state: a snapshot handed to a crawl, or the report a crawl hands back."""

    source_id: str
    pages: dict[str, PageState] = field(default_factory=dict)
    window: WindowSnapshot | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "source_id": self.source_id,
                "pages": [page.to_dict() for page in self.pages.values()],
                "window": self.window.__dict__ if self.window is not None else None,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> CrawlState:
        data = json.loads(text)
        pages = [PageState.from_dict(page) for page in data.get("pages", [])]
        window = data.get("window")
        return cls(
            source_id=str(data["source_id"]),
            pages={page.url: page for page in pages},
            window=WindowSnapshot(list(window.get("window", [])), dict(window.get("departed", {})))
            if window is not None else None,
        )

    def write(self, path: Path) -> Path:
        """Write atomically, readable by the owner only."""
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
        os.replace(tmp, path)
        return path

    @classmethod
    def read(cls, path: Path) -> CrawlState:
        return cls.from_json(path.read_text(encoding="utf-8"))
