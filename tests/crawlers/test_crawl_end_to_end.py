"""Each simulated layout crawled for real (subprocess Scrapy) into a real broker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.events import decode
from core.settings import load_settings
from crawlers.runner import run_crawl
from crawlers.simulator import NEW_PLAN, SITES, demo_revision_text, seed_text
from crawlers.simulator.fixtures import DEMO_REVISION_DOC, DEMO_REVISION_SITE

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("site_id", sorted(SITES))
def test_each_simulated_layout_publishes_its_seed_plan(site_id, sim, crawl, read_events, events_of):
    result = crawl(f"sim-{site_id}")

    assert result.ok, result.error
    assert result.stats["published"] == 1
    events = read_events()
    # Every event on the bus is a valid typed payload.
    assert {type(decode(json.dumps(e).encode())[1]).__name__ for e in events} == {"PageFetched", "SourceCrawled"}
    pages = events_of(events, "page.fetched")
    assert len(pages) == 1
    page = pages[0]
    seed = sim.list_documents(site_id)[0]
    assert page["url"] == seed["url"]
    assert page["list_entry"] == {"title": seed["title"], "date": seed["date"]}
    assert page["region_hint"] == SITES[site_id].region
    # The decoded page holds the seed text verbatim: no mojibake, whatever the encoding.
    first_line = seed_text(site_id).splitlines()[0].strip()
    assert first_line[:20] in page["html"]
    assert page["detail_hints"]["body_css"]
    inventory = events_of(events, "source.crawled")
    assert [i["seen_urls"] for i in inventory] == [[seed["url"]]]
    assert inventory[0]["complete"] is True
    if site_id == "shenyang":  # GBK bytes, declared only in <meta>
        assert page["encoding"] == "gb18030"
        assert "沈政办发〔2018〕144号" in page["html"] and "沈阳市人民政府办公厅" in page["html"]
    if site_id == "minhang":  # PDF and DOCX attachments fetched, their text joined to the page
        by_kind = {a["kind"]: a for a in page["attachments"]}
        assert set(by_kind) == {"pdf", "docx"}
        assert by_kind["pdf"]["status"] == by_kind["docx"]["status"] == "extracted"
        assert "政策解读" in by_kind["pdf"]["text"]
        assert "申报对象" in by_kind["docx"]["text"]


def test_pagination_reaches_every_list_page(sim, crawl, read_events, events_of):
    for number in range(5):  # 6 documents at 2 per page: index.html, index_1.html, index_2.html
        sim.publish("nansha", f"90{number}", f"测试文件{number}", f"正文{number}", f"2025-01-0{number + 1}")
    result = crawl("sim-nansha")
    assert result.ok, result.error
    assert result.stats["list_pages"] == 3
    assert result.stats["published"] == 6
    assert len(events_of(read_events(), "source.crawled")[0]["seen_urls"]) == 6


@pytest.mark.parametrize("site_id", ["shenzhen", "liuzhou"])
def test_link_and_json_pagination_reach_every_list_page(site_id, sim, crawl):
    for number in range(3):
        sim.publish(site_id, f"80{number}", f"测试文件{number}", f"正文{number}", f"2025-02-0{number + 1}")
    result = crawl(f"sim-{site_id}")
    assert result.ok, result.error
    assert result.stats["list_pages"] == 2
    assert result.stats["published"] == 4


@pytest.mark.parametrize("site_id", ["shenzhen", "nansha"])  # a next link; a template with a page count
def test_page_cap_stops_pagination_and_withholds_the_inventory(site_id, sim, crawl, read_events, events_of):
    for number in range(5):
        sim.publish(site_id, f"70{number}", f"测试文件{number}", f"正文{number}", f"2025-03-0{number + 1}")
    result = crawl(f"sim-{site_id}", page_cap=2)
    assert result.stats["list_pages"] == 2
    assert not result.ok and result.outcome == "partial"
    assert result.stats["page_cap_reached"] and "page cap of 2 list pages reached" in result.error
    assert "not every list page was read" in result.error
    assert events_of(read_events(), "source.crawled") == []


@pytest.mark.parametrize(
    ("pagination", "outcome"),
    [
        ("max_pages = 3\ncomplete = false", "partial"),  # max_pages not reached: the cap stopped it
        ("max_pages = 2\ncomplete = false", "ok"),  # max_pages stopped it, as designed
    ],
)
def test_page_cap_on_a_newest_pages_only_source_makes_the_crawl_partial(
    pagination, outcome, sim, bus_config, tmp_path
, nansha_source):
    for number in range(5):  # 6 documents on 3 list pages
        sim.publish("nansha", f"60{number}", f"测试文件{number}", f"正文{number}", f"2025-04-0{number + 1}")
    nansha_source(tmp_path / "src", sim, "custom", f'kind = "template"\ntemplate = "index_{{n}}.html"\n{pagination}')
    settings = load_settings(None, var_dir=tmp_path / "var", crawl={"sources_dirs": [tmp_path / "src"], "page_cap": 2})
    result = run_crawl("custom", settings=settings, bus=bus_config, timeout_s=60,
                       extra_settings={"AUTOTHROTTLE_ENABLED": "False"})
    assert (result.outcome, result.stats["list_pages"], result.stats["published"]) == (outcome, 2, 4)
    assert result.stats["page_cap_reached"] is (outcome == "partial")
    if outcome == "partial":
        assert result.error.startswith("page cap of 2 list pages reached")


def test_recrawl_of_unchanged_site_publishes_nothing(sim, crawl, read_events, events_of):
    first = crawl("sim-minhang")
    sim.reset_log()
    second = crawl("sim-minhang")

    assert first.stats["published"] == 1 and second.ok
    assert second.stats["published"] == 0
    assert second.stats["bytes"] < first.stats["bytes"] * 0.05
    assert all(r.status in (200, 304) for r in sim.request_log())
    assert not any(r.path.endswith((".pdf", ".docx")) for r in sim.request_log())
    events = read_events()
    assert len(events_of(events, "page.fetched")) == 1
    assert len(events_of(events, "source.crawled")) == 2


def test_recrawl_publishes_only_the_revised_and_the_new_document(sim, crawl, read_events, events_of):
    crawl("sim-shenzhen")
    crawl("sim-nansha")
    sim.revise(DEMO_REVISION_SITE, DEMO_REVISION_DOC, demo_revision_text(seed_text("shenzhen")))
    sim.publish(NEW_PLAN.site_id, NEW_PLAN.doc_id, NEW_PLAN.title, NEW_PLAN.text, NEW_PLAN.date,
                NEW_PLAN.doc_number, NEW_PLAN.issuer)
    revised = crawl("sim-shenzhen")
    added = crawl("sim-nansha")

    assert revised.stats["published"] == 1 and added.stats["published"] == 1
    pages = events_of(read_events(), "page.fetched")
    by_url: dict[str, list[str]] = {}
    for page in pages:
        by_url.setdefault(page["url"], []).append(page["html"])
    revised_url = sim.document_url(DEMO_REVISION_SITE, DEMO_REVISION_DOC)
    new_url = sim.document_url(NEW_PLAN.site_id, NEW_PLAN.doc_id)
    assert sorted(len(v) for v in by_url.values()) == [1, 1, 2]
    assert ["突破500亿元" in html for html in by_url[revised_url]] == [False, True]
    assert NEW_PLAN.doc_number in by_url[new_url][0]


def test_content_hash_catches_unchanged_pages_without_validators(sim, crawl):
    sim.set_validators("shenzhen", "none")
    crawl("sim-shenzhen")
    again = crawl("sim-shenzhen")
    assert again.stats["published"] == 0
    assert again.stats["unchanged"] == 1
    assert again.stats["not_modified"] == 0


def test_taken_down_document_is_reported_gone(sim, crawl, read_events, events_of):
    url = sim.publish("liuzhou", "9001", "将被撤下的文件", "正文", "2025-05-01")
    crawl("sim-liuzhou")
    sim.take_down("liuzhou", "9001")
    result = crawl("sim-liuzhou")

    assert result.ok, result.error
    assert result.stats["gone"] == 1
    events = read_events()
    gone = events_of(events, "page.gone")
    assert [(g["url"], g["status"]) for g in gone] == [(url, 404)]
    assert url not in events_of(events, "source.crawled")[-1]["seen_urls"]


def test_scrapy_list_and_crawl_work_from_the_repo_root(sim, tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), "LANG": "C.UTF-8"}
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list", "-s", f"POLICYWATCH_SIMULATOR_URL={sim.base_url}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()
    assert {"generic", "sim-nansha", "sim-shenyang", "sim-liuzhou", "sim-minhang", "sim-shenzhen"} <= set(listed)

    out = tmp_path / "items.jl"
    subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", "source=sim-shenzhen",
         "-s", f"POLICYWATCH_SIMULATOR_URL={sim.base_url}", "-s", "AUTOTHROTTLE_ENABLED=False", "-o", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(items) == 1 and "深圳市人民政府" in items[0]["html"]


def test_generic_spider_named_with_a_source_uses_the_source_spider_class(sim, tmp_path, nansha_source):
    (tmp_path / "pw_e2e_spider.py").write_text(
        "from crawlers.spiders.generic import GenericSpider\n\n\n"
        "class MarkedSpider(GenericSpider):\n"
        "    name = ''\n\n"
        "    def parse_detail(self, response):\n"
        "        for item in super().parse_detail(response):\n"
        "            item.list_title = '[marked] ' + item.list_title\n"
        "            yield item\n",
        encoding="utf-8",
    )
    nansha_source(tmp_path / "src", sim, "custom", 'kind = "none"', spider="pw_e2e_spider:MarkedSpider")
    env = {"PATH": str(Path(sys.executable).parent), "LANG": "C.UTF-8", "PYTHONPATH": f"{REPO}:{tmp_path}"}
    out = tmp_path / "items.jl"
    subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", "source=custom",
         "-s", f"POLICYWATCH_SOURCES_DIRS={tmp_path / 'src'}", "-s", "AUTOTHROTTLE_ENABLED=False", "-o", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    [item] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert item["list_title"].startswith("[marked] ")


@pytest.mark.parametrize("complete", [True, False])
def test_pagination_without_a_page_count_reads_until_a_page_is_missing(
    complete, sim, bus_config, tmp_path, read_events, events_of
, nansha_source):
    for number in range(5):  # 6 documents: index.html, index_1.html, index_2.html; index_3.html is 404
        sim.publish("nansha", f"60{number}", f"测试文件{number}", f"正文{number}", f"2025-04-0{number + 1}")
    nansha_source(tmp_path / "src", sim, "custom", f'kind = "template"\ntemplate = "index_{{n}}.html"\ncomplete = {str(complete).lower()}')
    settings = load_settings(None, var_dir=tmp_path / "var", crawl={"sources_dirs": [tmp_path / "src"]})
    result = run_crawl("custom", settings=settings, bus=bus_config, timeout_s=60,
                       extra_settings={"AUTOTHROTTLE_ENABLED": "False"})
    assert result.stats["list_pages"] == 3 and result.stats["published"] == 6
    inventories = events_of(read_events(), "source.crawled")
    assert result.ok, result.error
    if complete:
        assert len(inventories[0]["seen_urls"]) == 6
    else:  # the source says its lists show only the newest documents: never claim completeness
        assert inventories == []


def test_redirected_document_keeps_its_listed_url_and_recrawls_unchanged(sim, crawl, read_events, events_of):
    sim.inject_error("minhang", "moved", target="all")
    first = crawl("sim-minhang")
    second = crawl("sim-minhang")

    assert first.ok and second.ok, (first.error, second.error)
    assert (first.stats["published"], second.stats["published"]) == (1, 0)
    events = read_events()
    [page] = events_of(events, "page.fetched")
    listed = sim.document_url("minhang", "2018084")
    assert page["url"] == listed and page["final_url"] == listed + "?moved=1"
    assert all(inv["seen_urls"] == [listed] for inv in events_of(events, "source.crawled"))
    assert {a["status"] for a in page["attachments"]} == {"extracted"}
