"""What a crawl process knows of the typed settings: one object, carried into the process as one file.

The daemon's crawl runner (``crawlers.runner``) writes a ``CrawlConfig`` to a private file and names it in
the Scrapy setting ``POLICYWATCH_CRAWL_CONFIG``; every component of the Scrapy project reads its values
through ``CrawlConfig.of(crawler)``. So every value the crawler uses is declared once, with its default
and help, in ``core.settings`` (the ``crawl`` and ``kafka`` sections), the Kafka client configuration is
the same ``BusConfig`` the stages use, and nothing in the crawler reads the environment.

Run by hand (``scrapy list``, ``scrapy crawl <source-id>`` from the repository root) there is no such
file: the settings' defaults apply, nothing is published, no state or WARC is kept, and the two values a
person needs to choose come as Scrapy settings: ``-s POLICYWATCH_SOURCES_DIRS=dir[,dir]`` and
``-s POLICYWATCH_SIMULATOR_URL=http://…``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.bus import BusConfig
from core.captures import CaptureConfig
from core.settings import CrawlSettings

CONFIG_SETTING = "POLICYWATCH_CRAWL_CONFIG"
SOURCES_DIRS_SETTING = "POLICYWATCH_SOURCES_DIRS"
SIMULATOR_URL_SETTING = "POLICYWATCH_SIMULATOR_URL"
_CACHE_ATTRIBUTE = "_policywatch_crawl_config"


@dataclass(frozen=True)
class CrawlConfig:
    """The settings of one crawl: ``crawl`` as configured, the bus (None: publish nothing), the snapshot
    of the source's incremental state (``core.crawl_state``; None: no incremental recrawl) and where to
    write the crawl's report of it, where the WARC captures go (``core.captures``; None: keep none), and
    where to write the final stats."""

    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    bus: BusConfig | None = None
    state_file: Path | None = None
    state_report_file: Path | None = None
    captures: CaptureConfig | None = None
    stats_file: Path | None = None
    # A backfill (``policywatch backfill``): read this many list pages, past the page cap and the
    # source's own max_pages, for this one crawl (0: an ordinary crawl).
    backfill_pages: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "crawl": self.crawl.model_dump(mode="json"),
                "kafka": json.loads(self.bus.to_json()) if self.bus is not None else None,
                "state_file": str(self.state_file) if self.state_file else None,
                "state_report_file": str(self.state_report_file) if self.state_report_file else None,
                "captures": json.loads(self.captures.to_json()) if self.captures is not None else None,
                "stats_file": str(self.stats_file) if self.stats_file else None,
                "backfill_pages": self.backfill_pages,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> CrawlConfig:
        data: dict[str, Any] = json.loads(text)
        kafka = data.get("kafka")
        return cls(
            crawl=CrawlSettings.model_validate(data["crawl"]),
            bus=BusConfig.from_json(json.dumps(kafka)) if kafka else None,
            state_file=Path(data["state_file"]) if data.get("state_file") else None,
            state_report_file=Path(data["state_report_file"]) if data.get("state_report_file") else None,
            captures=CaptureConfig.from_json(json.dumps(data["captures"])) if data.get("captures") else None,
            stats_file=Path(data["stats_file"]) if data.get("stats_file") else None,
            backfill_pages=int(data.get("backfill_pages") or 0),
        )

    def write(self, path: Path) -> Path:
        """Write to ``path`` readable by the owner only (it may hold the capture storage's secret key)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
        return path

    @classmethod
    def of(cls, crawler: Any) -> CrawlConfig:
        """The configuration of ``crawler``'s process (read once, then cached on the crawler)."""
        cached = getattr(crawler, _CACHE_ATTRIBUTE, None)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        config = cls.from_scrapy_settings(crawler.settings)
        setattr(crawler, _CACHE_ATTRIBUTE, config)
        return config

    @classmethod
    def from_scrapy_settings(cls, settings: Any) -> CrawlConfig:
        path = settings.get(CONFIG_SETTING)
        if path:
            return cls.from_json(Path(path).read_text(encoding="utf-8"))
        manual: dict[str, Any] = {}
        dirs = settings.getlist(SOURCES_DIRS_SETTING)
        if dirs:
            manual["sources_dirs"] = [Path(d) for d in dirs]
        if settings.get(SIMULATOR_URL_SETTING):
            manual["simulator_url"] = settings.get(SIMULATOR_URL_SETTING)
        return cls(crawl=CrawlSettings(**manual))
