"""Removals on a newest-pages-only source (``complete = false``): the URLs that left the window
since the last crawl are probed, a bounded number per crawl, oldest first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.bus import BusConfig
from core.settings import load_settings
from crawlers.runner import CrawlResult

FAST = {"AUTOTHROTTLE_ENABLED": "False"}


@pytest.fixture
def windowed(sim, bus_config: BusConfig, tmp_path: Path, state_keeper) -> Callable[..., CrawlResult]:
    """Crawl the simulated 南沙 column as a real source is read: only page 1 (2 documents)."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "window.toml").write_text(
        f'''id = "window"
name = "南沙 · newest page only"
region = "广州市南沙区"
layout = "static"
list_urls = ["{sim.base_url}/nansha/zwgk/zcwj/index.html"]
[links]
item = "ul.news_list li"
date = "span.date::text"
[pagination]
kind = "template"
template = "index_{{n}}.html"
max_pages = 1
complete = false
[verification]
status = "unverified"
method = "test"
''',
        encoding="utf-8",
    )
    def run(**crawl: object) -> CrawlResult:
        settings = load_settings(None, var_dir=tmp_path / "var", crawl={"sources_dirs": [folder], **crawl})
        return state_keeper.run("window", settings=settings, bus=bus_config, timeout_s=60, extra_settings=FAST)

    return run


def publish(sim, doc_id: str, day: int) -> str:
    return sim.publish("nansha", doc_id, f"文件{doc_id}", f"正文{doc_id}", f"2026-01-{day:02d}")


def test_document_taken_down_with_its_list_entry_is_reported_gone(sim, windowed, read_events, events_of):
    first = publish(sim, "801", 3)
    publish(sim, "802", 2)
    assert windowed().stats["published"] == 2  # page 1 only: 801, 802
    sim.take_down("nansha", "801")  # gone from the list and from the site; 802 moves up

    result = windowed()

    assert result.ok, result.error
    assert (result.stats["window_departed"], result.stats["window_probes"], result.stats["gone"]) == (1, 1, 1)
    gone = events_of(read_events(), "page.gone")
    assert [(g["url"], g["status"]) for g in gone] == [(first, 404)]
    assert result.stats["window_backlog"] == 0


def test_document_merely_pushed_off_the_window_publishes_nothing(sim, windowed, read_events, events_of):
    publish(sim, "801", 3)
    pushed = publish(sim, "802", 2)
    windowed()
    newest = publish(sim, "803", 4)  # 802 is pushed to page 2
    sim.reset_log()

    result = windowed()

    assert result.ok, result.error
    assert (result.stats["window_probes"], result.stats["gone"], result.stats["published"]) == (1, 0, 1)
    events = read_events()
    assert events_of(events, "page.gone") == []
    fetched = sorted(p["url"] for p in events_of(events, "page.fetched"))
    assert len(fetched) == 3 and newest in fetched and fetched.count(pushed) == 1
    # The probe was one conditional GET, answered 304: cheap.
    probe = [r for r in sim.request_log() if pushed.endswith(r.path)]
    assert [(r.status, r.conditional) for r in probe] == [(304, True)]
    assert windowed().stats["window_probes"] == 0  # settled: not probed again


def test_window_probes_are_bounded_per_crawl_and_oldest_first(sim, windowed, events_of, read_events):
    urls = {doc: publish(sim, doc, day) for doc, day in (("801", 3), ("802", 2))}
    windowed()
    for doc, day in (("803", 5), ("804", 4)):  # 801 and 802 leave the window together
        urls[doc] = publish(sim, doc, day)
    for doc in ("801", "802"):
        sim.take_down("nansha", doc)

    second = windowed(window_probes=1)
    urls["805"] = publish(sim, "805", 6)  # 804 leaves now: it must wait behind the older departure
    sim.take_down("nansha", "804")
    sim.reset_log()
    third = windowed(window_probes=1)
    probed_third = [r.path for r in sim.request_log() if r.status == 404]
    fourth = windowed(window_probes=1)

    assert [(r.stats["window_probes"], r.stats["gone"], r.stats["window_backlog"]) for r in (second, third, fourth)] == [
        (1, 1, 1), (1, 1, 1), (1, 1, 0),
    ]
    # The third crawl probed the backlog from the second (801 or 802), not the newer departure 804.
    assert len(probed_third) == 1 and not urls["804"].endswith(probed_third[0])
    gone = sorted(g["url"] for g in events_of(read_events(), "page.gone"))
    assert gone == sorted([urls["801"], urls["802"], urls["804"]])
