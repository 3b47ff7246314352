"""`sources check`: a live check of each source says what its definition finds."""

from __future__ import annotations

from crawlers.catalog import PACKAGE_SOURCES_DIR, load_sources
from crawlers.catalog import check_sources as check_report
from crawlers.check import check_sources


def simulated(sim):
    return [s for s in load_sources([PACKAGE_SOURCES_DIR], sim.base_url) if s.simulated]


def test_check_of_healthy_simulated_sources_finds_lists_links_and_fields(sim):
    for number in range(3):  # make every site paginate
        for site in ("nansha", "shenyang", "liuzhou", "minhang", "shenzhen"):
            sim.publish(site, f"5{number}", f"测试文件{number}", "正文" * 150, f"2025-0{number + 1}-01")
    results = {r.source_id: r for r in check_sources(simulated(sim), user_agent="pw-test", delay_s=0)}

    assert set(results) == {"sim-nansha", "sim-shenyang", "sim-liuzhou", "sim-minhang", "sim-shenzhen"}
    for result in results.values():
        assert result.ok, (result.source_id, result.problems)
        assert result.list_ok and result.links == 2
        assert result.pagination == "found" and result.second_page_links == 2
        assert result.detail["title"] and result.detail["body"]
    nansha = results["sim-nansha"]
    assert nansha.detail["index_no"] and nansha.detail["issue_date"]
    assert nansha.detail_values["title"] == "测试文件2"


def test_check_reports_what_is_broken(sim):
    sim.inject_error("shenzhen", "500", target="list")
    sim.inject_error("shenyang", "500", target="detail")
    results = {r.source_id: r for r in check_sources(simulated(sim), user_agent="pw-test", delay_s=0)}
    assert not results["sim-shenzhen"].ok
    assert "HTTP 500" in results["sim-shenzhen"].problems[0]
    assert results["sim-shenyang"].list_ok and not results["sim-shenyang"].ok
    assert "detail page" in results["sim-shenyang"].problems[0]
    assert results["sim-nansha"].ok


def test_check_obeys_robots_txt(sim, tmp_path):
    robots_blocked = tmp_path / "blocked.toml"
    robots_blocked.write_text(
        f'''id = "blocked"
name = "x"
region = "深圳市"
layout = "static"
list_urls = ["{sim.base_url}/private/index.html"]
[verification]
status = "unverified"
method = "test"
''',
        encoding="utf-8",
    )
    [result] = check_sources(load_sources([tmp_path]), user_agent="pw-test", delay_s=0)
    assert not result.ok and "robots.txt" in result.problems[0]


def test_report_for_the_cli_names_each_field_and_problem(sim, crawl_settings):
    sim.inject_error("liuzhou", "404", target="list")
    report, ok = check_report(crawl_settings, "sim-nansha")
    assert ok and report.startswith("sim-nansha: OK")
    assert "index_no ✓" in report and "issue_date ✓" in report
    report, ok = check_report(crawl_settings, "sim-liuzhou")
    assert not ok and "problem: list page" in report and "HTTP 404" in report
