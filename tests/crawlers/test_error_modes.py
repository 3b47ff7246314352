"""Each simulated failure is reported for its source, and the crawler carries on."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.bus import BusConfig, ensure_topics
from core.embedded_broker import EmbeddedBroker
from core.settings import KafkaSettings
from crawlers.runner import run_crawl


@pytest.mark.parametrize(
    ("site_id", "mode", "target", "expected"),
    [
        ("shenzhen", "slow", "detail", "TimeoutError"),
        ("shenzhen", "500", "list", "HTTP 500"),
        ("nansha", "404", "list", "HTTP 404"),
        ("liuzhou", "truncated", "detail", "ResponseDataLoss"),
        ("minhang", "oversized", "detail", "max"),
        ("nansha", "redirect_loop", "list", "IgnoreRequest"),
        ("shenzhen", "redirect_loop", "detail", "redirect"),  # a document link in a loop: never "ok"
        ("shenzhen", "offsite_redirect", "detail", "refused"),
    ],
)
def test_error_mode_is_reported_for_its_source(site_id, mode, target, expected, sim, crawl, read_events, events_of):
    sim.inject_error(site_id, mode, target=target)
    result = crawl(f"sim-{site_id}")

    assert not result.ok
    assert result.outcome == "partial"
    assert expected.lower() in result.error.lower()
    assert result.stats["errors"] >= 1
    assert f"{target} " in " ".join(result.stats["failures"])
    if target == "list":
        # A list that could not be read must never be taken as "every document is gone".
        assert events_of(read_events(), "source.crawled") == []


def test_wrong_charset_header_still_yields_the_right_text(sim, crawl, read_events, events_of):
    sim.inject_error("shenyang", "wrong_charset", target="all")
    result = crawl("sim-shenyang")
    assert result.ok, result.error
    page = events_of(read_events(), "page.fetched")[0]
    assert "沈政办发〔2018〕144号" in page["html"]


def test_crawler_recovers_once_the_site_does(sim, crawl):
    sim.inject_error("shenzhen", "500", target="all")
    assert crawl("sim-shenzhen").outcome == "partial"
    sim.clear_errors()
    again = crawl("sim-shenzhen")
    assert again.ok and again.stats["published"] == 1


def _bus(bootstrap: str, prefix: str) -> BusConfig:
    return BusConfig.from_settings(KafkaSettings(topic_prefix=prefix, send_timeout_seconds=3), [bootstrap])


def test_unreachable_broker_fails_the_crawl_loudly(sim, crawl_settings):
    result = run_crawl(
        "sim-shenzhen", settings=crawl_settings, bus=_bus("127.0.0.1:1", "nowhere"),
        timeout_s=60, extra_settings={"AUTOTHROTTLE_ENABLED": "False"},
    )
    assert not result.ok
    assert result.outcome == "bus_unavailable"
    assert result.stats.get("published", 0) == 0


def test_runner_stops_a_crawl_that_overruns_its_timeout(sim, crawl):
    sim.inject_error("nansha", "slow", target="list")
    result = crawl("sim-nansha", timeout_s=1.5, timeout_seconds=30.0)
    assert not result.ok
    assert result.outcome == "timeout"


def test_unknown_source_is_reported_not_raised(crawl):
    result = crawl("no-such-source")
    assert not result.ok and result.outcome == "config_error"
    assert "no-such-source" in result.error


def test_broker_lost_mid_crawl_fails_loudly_and_the_page_is_published_next_time(sim, crawl_settings):
    extra = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_TIMEOUT": "10"}
    sim.inject_error("shenzhen", "slow", target="detail")  # the detail arrives after the broker is gone
    broker = EmbeddedBroker().start()
    ensure_topics(_bus(broker.bootstrap, "lost"))
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(
            run_crawl, "sim-shenzhen", settings=crawl_settings, bus=_bus(broker.bootstrap, "lost"),
            timeout_s=60, extra_settings=extra,
        )
        time.sleep(1.5)
        broker.stop()
        lost = future.result()
    assert not lost.ok and lost.outcome == "bus_unavailable"
    assert lost.stats["published"] == 0

    sim.clear_errors()
    with EmbeddedBroker() as fresh:
        ensure_topics(_bus(fresh.bootstrap, "lost"))
        again = run_crawl(
            "sim-shenzhen", settings=crawl_settings, bus=_bus(fresh.bootstrap, "lost"),
            timeout_s=60, extra_settings=extra,
        )
    # Nothing was acknowledged the first time, so the unchanged page is still published now.
    assert again.ok and again.stats["published"] == 1


def test_broken_attachment_is_recorded_and_the_page_still_published(sim, crawl, read_events, events_of):
    sim.inject_error("minhang", "truncated", target="attachment")
    result = crawl("sim-minhang")
    assert result.outcome == "partial" and "attachment " in result.error
    [page] = events_of(read_events(), "page.fetched")
    assert len(page["attachments"]) == 2
    assert all(a["status"].startswith("failed: ") for a in page["attachments"])


def test_list_whose_selectors_find_nothing_is_a_failure_not_an_empty_inventory(sim, crawl, read_events, events_of):
    sim.take_down("shenzhen", "6843")  # the column is now empty, as if the template had changed
    result = crawl("sim-shenzhen")
    assert result.outcome == "partial"
    assert "no document links found" in result.error
    assert events_of(read_events(), "source.crawled") == []


def test_stop_event_cancels_a_running_crawl(sim, crawl_settings, bus_config):
    stop = threading.Event()
    sim.inject_error("nansha", "slow", target="list")
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    result = run_crawl(
        "sim-nansha", settings=crawl_settings, bus=bus_config, timeout_s=60, stop_event=stop,
        extra_settings={"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_TIMEOUT": "30"},
    )
    assert result.outcome == "cancelled" and not result.ok
    assert time.monotonic() - started < 15
