"""The daemon's crawl runner: many cycles in one process, settings passed down, nothing leaked."""

from __future__ import annotations

import os
from pathlib import Path

from core.bus import BusConfig
from core.settings import load_settings
from crawlers.config import CrawlConfig
from crawlers.runner import crawl_config, scrapy_settings, user_agent


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_repeated_crawls_leave_no_children_or_descriptors_behind(sim, crawl):
    crawl("sim-shenzhen")
    before = open_fds()
    outcomes = [crawl("sim-shenzhen").outcome for _ in range(3)]
    assert outcomes == ["ok"] * 3
    assert open_fds() <= before
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _is_crawl_child(int(p))]


def _is_crawl_child(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return False
    return int(fields[1]) == os.getpid() and b"scrapy" in command


def test_crawl_settings_carry_politeness_and_contact(tmp_path):
    settings = load_settings(
        None, var_dir=tmp_path, crawl={"contact": "ops@example.org", "obey_robots": True, "page_cap": 7,
                                       "concurrency_per_domain": 3, "max_response_bytes": 4096, "retries": 4},
    )
    values = scrapy_settings(settings)
    assert "ops@example.org" in values["USER_AGENT"] == user_agent(settings)
    assert values["ROBOTSTXT_OBEY"] == "True"
    assert values["CONCURRENT_REQUESTS_PER_DOMAIN"] == "3"
    assert values["DOWNLOAD_MAXSIZE"] == "4096"
    assert values["RETRY_TIMES"] == "4"
    assert not any(key.startswith("POLICYWATCH_") for key in values)  # those travel in the CrawlConfig
    bus = BusConfig.from_settings(settings.kafka.model_copy(update={"max_request_size": 123456}), ["127.0.0.1:9092"])
    config = CrawlConfig.from_json(crawl_config(settings, bus, state_file=Path("s.json")).to_json())
    assert config.crawl.page_cap == 7
    assert config.state_file == Path("s.json") and config.state_report_file is None
    assert config.captures is not None and config.captures.folder == settings.warc_dir.resolve()
    # The crawler's producer gets the same client configuration as the stages, not a subset of it.
    assert config.bus == bus and config.bus.kafka.max_request_size == 123456
