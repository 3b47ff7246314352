"""`sources check`: a live check of each source says what its definition finds."""

from __future__ import annotations

import pytest

from crawlers.catalog import PACKAGE_SOURCES_DIR, load_sources
from policywatch.cli.sources import check_sources as check_report
from policywatch.sources_check import check_sources, render_report


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


UNTIL_MISSING = 'kind = "template"\ntemplate = "index_{n}.html"\n'


def test_check_fetches_page_two_of_a_source_read_until_a_page_is_missing(sim, tmp_path, nansha_source):
    for number in range(3):
        sim.publish("nansha", f"5{number}", f"测试文件{number}", "正文" * 150, f"2026-0{number + 1}-01")
    nansha_source(tmp_path / "src", sim, "seq", UNTIL_MISSING)
    sim.reset_log()
    [result] = check_sources(load_sources([tmp_path / "src"]), user_agent="pw-test", delay_s=0)

    assert result.ok, result.problems
    assert result.pagination == "found" and result.second_page_url.endswith("/index_1.html")
    assert (result.second_page_links, result.second_page_new_links) == (2, 2)
    assert "/nansha/zwgk/zcwj/index_1.html" in [r.path for r in sim.request_log()]


def test_check_reports_a_missing_page_two_of_a_source_read_until_a_page_is_missing(sim, tmp_path, nansha_source):
    nansha_source(tmp_path / "src", sim, "seq", UNTIL_MISSING)  # one document: index_1.html answers 404
    [result] = check_sources(load_sources([tmp_path / "src"]), user_agent="pw-test", delay_s=0)

    assert not result.ok and result.pagination == "missing"
    assert "index_1.html not read: HTTP 404 (wrong pagination.template" in result.problems[0]
    assert "pagination: missing" in render_report([result])


@pytest.mark.parametrize(("extra", "page_cap"), [("max_pages = 1\ncomplete = false", 50), ("", 1)])
def test_check_reads_no_page_two_when_max_pages_or_the_page_cap_forbid_it(sim, tmp_path, extra, page_cap, nansha_source):
    for number in range(3):
        sim.publish("nansha", f"5{number}", f"测试文件{number}", "正文" * 150, f"2026-0{number + 1}-01")
    nansha_source(tmp_path / "src", sim, "seq", UNTIL_MISSING + extra)
    sim.reset_log()
    [result] = check_sources(load_sources([tmp_path / "src"]), user_agent="pw-test", delay_s=0, page_cap=page_cap)

    assert result.ok and result.pagination == "n/a"
    assert "only one list page is read" in result.notes[0]
    assert not [r for r in sim.request_log() if "index_" in r.path]


def test_check_uses_the_page_cap_from_settings(sim, crawl_settings):
    for number in range(3):
        sim.publish("nansha", f"5{number}", f"测试文件{number}", "正文" * 150, f"2026-0{number + 1}-01")
    capped = crawl_settings.model_copy(update={"crawl": crawl_settings.crawl.model_copy(update={"page_cap": 1})})
    report, ok = check_report(capped, "sim-nansha")
    assert ok and "only one list page is read (max_pages 0, page cap 1)" in report
    report, ok = check_report(crawl_settings, "sim-nansha")
    assert ok and "pagination: found, next page 2 links (2 new)" in report


def test_check_paginates_through_the_source_spider_class(sim, tmp_path, monkeypatch, nansha_source):
    for number in range(5):  # three list pages
        sim.publish("nansha", f"5{number}", f"测试文件{number}", "正文" * 150, f"2026-0{number + 1}-01")
    package = tmp_path / "pkgs" / "pw_check_spider"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "skip.py").write_text(
        "from crawlers.layouts import template_url\n"
        "from crawlers.spiders.generic import GenericSpider\n\n\n"
        "class SkipSpider(GenericSpider):\n"
        "    name = ''\n\n"
        "    @classmethod\n"
        "    def next_list_urls(cls, source, first_url, page, number, cap):\n"
        "        return [template_url(source, first_url, number + 2)]  # a site whose pager skips a page\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    nansha_source(tmp_path / "src", sim, "seq", UNTIL_MISSING, spider="pw_check_spider.skip:SkipSpider")
    [result] = check_sources(load_sources([tmp_path / "src"]), user_agent="pw-test", delay_s=0)
    assert result.ok, result.problems
    assert result.second_page_url.endswith("/index_2.html") and result.second_page_links == 2


def test_check_reports_whether_the_meta_table_selector_matches(sim, tmp_path, nansha_source):
    results = {r.source_id: r for r in check_sources(simulated(sim), user_agent="pw-test", delay_s=0)}
    assert results["sim-nansha"].detail["meta_table"] is True  # table.xxgk_table
    assert "meta_table" not in results["sim-shenzhen"].detail  # no selector, nothing claimed
    nansha_source(tmp_path / "src", sim, "seq", UNTIL_MISSING, detail='meta_table = "table.bd1"')
    [result] = check_sources(load_sources([tmp_path / "src"]), user_agent="pw-test", delay_s=0)
    assert result.detail["meta_table"] is False
    assert any("meta_table 'table.bd1' matches nothing" in problem for problem in result.problems)
