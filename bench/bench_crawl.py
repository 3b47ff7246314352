"""Crawl cost: a recrawl of the unchanged simulated sites vs the full first crawl (requests, bytes).

Real subprocess crawls through the whole pipeline (embedded broker, SQLite store, WARC capture on), so
the recrawl uses the crawl state exactly as the daemon does: read from the database, where the store
stage recorded each page when it committed its version. Bytes are what the crawler received
(``downloader/response_bytes``: headers + bodies). Issue 4 asks for the recrawl to cost at most 5% of
the full crawl's bytes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import Row
from core.settings import load_settings
from crawlers.simulator import SimulatedSites
from policywatch.pipeline import Pipeline


def _crawl_all(pipeline: Pipeline, source_ids: list[str]) -> dict[str, int]:
    totals = {"requests": 0, "bytes": 0, "published": 0}
    for source_id in source_ids:
        result = pipeline.crawl(source_id)
        if not result.ok:
            raise RuntimeError(f"bench crawl of {source_id} failed: {result.outcome} {result.error}")
        for key in totals:
            totals[key] += int(result.stats[key])
    pipeline.wait_idle(timeout_s=120)  # the store stage has committed every page (and its crawl state)
    return totals


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="pw-bench-crawl-") as tmp, SimulatedSites() as sim:
        settings = load_settings(None, var_dir=Path(tmp) / "var", crawl={"simulator_url": sim.base_url},
                                 web={"enabled": False})
        with Pipeline(settings) as pipeline:
            # AutoThrottle only spaces requests out; it changes neither their number nor their bytes.
            pipeline.extra_crawl_settings = {"AUTOTHROTTLE_ENABLED": "False"}
            sources = [s.id for s in pipeline.sources if s.simulated]
            full = _crawl_all(pipeline, sources)
            again = _crawl_all(pipeline, sources)
    note = f"{len(sources)} simulated sites; published {full['published']} then {again['published']}"
    return [
        Row("crawl: recrawl bytes (unchanged sites)", again["bytes"], full["bytes"], "bytes", "full crawl", note),
        Row("crawl: recrawl requests (unchanged sites)", again["requests"], full["requests"], "requests", "full crawl"),
    ]
