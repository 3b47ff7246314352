"""Each simulated failure is reported for its source, and the crawler carries on."""

from __future__ import annotations

import pytest

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


def test_unreachable_broker_fails_the_crawl_loudly(sim, crawl_settings):
    result = run_crawl(
        "sim-shenzhen", settings=crawl_settings, bootstrap="127.0.0.1:1", topic_prefix="nowhere",
        timeout_s=60, extra_settings={"AUTOTHROTTLE_ENABLED": "False", "POLICYWATCH_SEND_TIMEOUT": "3"},
    )
    assert not result.ok
    assert result.outcome == "bus_unavailable"
    assert result.stats.get("published", 0) == 0


def test_runner_stops_a_crawl_that_overruns_its_timeout(sim, crawl):
    sim.inject_error("nansha", "slow", target="list")
    result = crawl("sim-nansha", timeout_s=1.5, DOWNLOAD_TIMEOUT="30")
    assert not result.ok
    assert result.outcome == "timeout"


def test_unknown_source_is_reported_not_raised(crawl):
    result = crawl("no-such-source")
    assert not result.ok and result.outcome == "crashed"
    assert "no-such-source" in result.error
