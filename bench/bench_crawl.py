"""Crawl cost: a recrawl of the unchanged simulated sites vs the full first crawl (requests, bytes).

Real subprocess crawls into a real embedded broker, with the daemon's incremental state and WARC
capture on. Bytes are what the crawler received (``downloader/response_bytes``: headers + bodies).
Issue 4 asks for the recrawl to cost at most 5% of the full crawl's bytes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import Row
from core.bus import BusConfig, ensure_topics
from core.embedded_broker import EmbeddedBroker
from core.settings import load_settings
from crawlers.catalog import PACKAGE_SOURCES_DIR, load_sources
from crawlers.runner import run_crawl
from crawlers.simulator import SimulatedSites


def _crawl_all(source_ids: list[str], **kwargs: object) -> dict[str, int]:
    totals = {"requests": 0, "bytes": 0, "published": 0}
    for source_id in source_ids:
        result = run_crawl(source_id, **kwargs)  # type: ignore[arg-type]
        if not result.ok:
            raise RuntimeError(f"bench crawl of {source_id} failed: {result.outcome} {result.error}")
        for key in totals:
            totals[key] += int(result.stats[key])
    return totals


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="pw-bench-crawl-") as tmp, EmbeddedBroker() as broker, SimulatedSites() as sim:
        settings = load_settings(None, var_dir=Path(tmp) / "var", crawl={"simulator_url": sim.base_url},
                                 kafka={"topic_prefix": "benchcrawl"})
        config = BusConfig.from_settings(settings.kafka, [broker.bootstrap])
        ensure_topics(config)
        sources = [s.id for s in load_sources([PACKAGE_SOURCES_DIR], sim.base_url) if s.simulated]
        kwargs = {
            "settings": settings,
            "bus": config,
            "timeout_s": 120.0,
            # AutoThrottle only spaces requests out; it changes neither their number nor their bytes.
            "extra_settings": {"AUTOTHROTTLE_ENABLED": "False"},
        }
        full = _crawl_all(sources, **kwargs)
        again = _crawl_all(sources, **kwargs)
    note = f"{len(sources)} simulated sites; published {full['published']} then {again['published']}"
    return [
        Row("crawl: recrawl bytes (unchanged sites)", again["bytes"], full["bytes"], "bytes", "full crawl", note),
        Row("crawl: recrawl requests (unchanged sites)", again["requests"], full["requests"], "requests", "full crawl"),
    ]
