"""Politeness and safety: robots.txt, User-Agent with contact, offsite links, redirects, size."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import load_settings
from crawlers.runner import run_crawl

FAST = {"AUTOTHROTTLE_ENABLED": "False"}


def source_file(folder: Path, list_url: str, extra: str = "") -> Path:
    path = folder / "custom.toml"
    path.write_text(
        f'''id = "custom"
name = "测试"
region = "深圳市"
layout = "static"
list_urls = ["{list_url}"]
{extra}
[links]
item = "div.zx_ml_list li"
title = ""
date = "span::text"
[verification]
status = "unverified"
method = "test"
''',
        encoding="utf-8",
    )
    return path


def settings_for(tmp_path: Path, sources: Path, **crawl: object):
    return load_settings(None, var_dir=tmp_path / "var", crawl={"sources_dirs": [sources], **crawl})


def test_user_agent_carries_the_operator_contact(sim, crawl_settings, bus_config, tmp_path):
    settings = load_settings(
        None, var_dir=tmp_path / "v", crawl={"simulator_url": sim.base_url, "contact": "ops@example.org"}
    )
    run_crawl("sim-shenzhen", settings=settings, bus=bus_config, timeout_s=60, extra_settings=FAST)
    agents = {r.user_agent for r in sim.request_log()}
    assert len(agents) == 1
    assert "policywatch" in agents.pop().lower()
    assert all("ops@example.org" in r.user_agent for r in sim.request_log())
    assert sim.request_log()[0].path == "/robots.txt"


def test_robots_txt_disallowed_list_is_not_fetched(sim, bus_config, tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    source_file(folder, f"{sim.base_url}/private/index.html")
    result = run_crawl("custom", settings=settings_for(tmp_path, folder), bus=bus_config, timeout_s=60, extra_settings=FAST)
    assert not result.ok and "robots.txt" in result.error.lower()
    assert [r.path for r in sim.request_log()] == ["/robots.txt"]


def test_links_outside_the_source_domains_are_not_followed(sim, bus_config, tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    # The list is reachable, but the source claims another domain for its documents.
    source_file(folder, f"{sim.base_url}/shenzhen/gkmlpt/zcwj/index.html",
                extra='allowed_domains = ["127.0.0.1", "example.org"]')
    sim.publish("shenzhen", "1", "本站文件", "正文", "2025-01-01")
    result = run_crawl("custom", settings=settings_for(tmp_path, folder), bus=bus_config, timeout_s=60, extra_settings=FAST)
    assert result.ok and result.stats["published"] == 2
    folder.joinpath("custom.toml").unlink()
    source_file(folder, f"{sim.base_url}/shenzhen/gkmlpt/zcwj/index.html", extra='allowed_domains = ["example.org"]')
    sim.reset_log()
    blocked = run_crawl("custom", settings=settings_for(tmp_path / "b", folder),
                        bus=bus_config,
                        timeout_s=60, extra_settings=FAST)
    assert blocked.stats.get("published", 0) == 0
    assert not [r for r in sim.request_log() if r.path.startswith("/shenzhen/gkmlpt/content/")]


@pytest.mark.parametrize("target", ["list", "attachment"])  # the two kinds that skip Scrapy's offsite filter
def test_redirect_to_another_host_is_refused_and_reported(target, sim, crawl, read_events, events_of):
    sim.inject_error("minhang", "offsite_redirect", target=target)  # 302 to http://localhost:<port>/…
    result = crawl("sim-minhang")

    assert result.outcome == "partial"
    assert f"{target} " in " ".join(result.stats["failures"])
    assert "redirect to localhost refused: outside the source's domains" in result.error
    assert result.stats["offsite_redirects"] >= 1
    pages = events_of(read_events(), "page.fetched")
    if target == "attachment":  # the page is still published, its attachments marked failed
        [page] = pages
        assert all("redirect to localhost refused" in a["status"] for a in page["attachments"])
    else:
        assert pages == []
