"""The simulated portals serve what real ones do, and change when told to."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from crawlers.simulator import NEW_PLAN, SITES, SimulatedSites, demo_revision_text, seed_text


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_every_site_lists_its_seed_with_a_detail_page(sim):
    for site_id in SITES:
        [doc] = sim.list_documents(site_id)
        status, _, _body = get(sim.list_url(site_id))
        assert status == 200
        status, _, detail = get(doc["url"])
        assert status == 200
        encoding = "gbk" if SITES[site_id].encoding == "gbk" else "utf-8"
        text = detail.decode(encoding)
        assert doc["title"] in text or doc["title"].replace("<", "&lt;") in text
        assert doc["date"] in text


def test_gbk_site_serves_gbk_bytes_declared_only_in_meta(sim):
    [doc] = sim.list_documents("shenyang")
    _, headers, body = get(doc["url"])
    assert headers["Content-Type"] == "text/html"
    assert b"charset=gbk" in body[:300]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "沈政办发〔2018〕144号" in body.decode("gbk")


def test_trs_site_details_carry_the_information_table(sim):
    [doc] = sim.list_documents("nansha")
    text = get(doc["url"])[2].decode("utf-8")
    for label in ("索引号", "发文机关", "成文日期", "发文字号", "主题分类", "发布日期"):
        assert label in text


def test_json_api_lists_with_pagination(sim):
    for n in range(3):
        sim.publish("liuzhou", f"10{n}", f"文件{n}", "正文", f"2024-0{n + 1}-01")
    page1 = json.loads(get(sim.list_url("liuzhou"))[2])
    page2 = json.loads(get(sim.list_url("liuzhou").replace("page=1", "page=2"))[2])
    assert page1["data"]["totalPage"] == 2 and page1["data"]["total"] == 4
    assert len(page1["data"]["list"]) == 2 and len(page2["data"]["list"]) == 2


def test_static_pagination_uses_trs_file_names(sim):
    for n in range(3):
        sim.publish("nansha", f"20{n}", f"文件{n}", "正文", f"2024-0{n + 1}-01")
    base = sim.list_url("nansha").rsplit("/", 1)[0]
    assert "createPageHTML(2, 0" in get(f"{base}/index.html")[2].decode()
    assert get(f"{base}/index_1.html")[0] == 200
    assert get(f"{base}/index_2.html")[0] == 404


def test_validators_answer_304_until_the_page_changes(sim):
    [doc] = sim.list_documents("shenzhen")
    _, headers, _ = get(doc["url"])
    assert get(doc["url"], {"If-None-Match": headers["ETag"]})[0] == 304
    sim.revise("shenzhen", "6843", demo_revision_text(seed_text("shenzhen")))
    status, _, body = get(doc["url"], {"If-None-Match": headers["ETag"]})
    assert status == 200 and "突破500亿元" in body.decode()


def test_last_modified_only_site_answers_if_modified_since(sim):
    [doc] = sim.list_documents("shenyang")
    _, headers, _ = get(doc["url"])
    assert "ETag" not in headers
    assert get(doc["url"], {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    sim.revise("shenyang", "3362", "新正文")
    assert get(doc["url"], {"If-Modified-Since": headers["Last-Modified"]})[0] == 200


def test_publish_and_take_down_change_the_list(sim):
    url = sim.publish(NEW_PLAN.site_id, NEW_PLAN.doc_id, NEW_PLAN.title, NEW_PLAN.text, NEW_PLAN.date,
                      NEW_PLAN.doc_number, NEW_PLAN.issuer)
    assert NEW_PLAN.title in get(sim.list_url("nansha"))[2].decode()
    assert get(url)[0] == 200
    sim.take_down(NEW_PLAN.site_id, NEW_PLAN.doc_id)
    assert NEW_PLAN.title not in get(sim.list_url("nansha"))[2].decode()
    assert get(url)[0] == 404
    assert [d["doc_id"] for d in sim.list_documents("nansha")] == ["5201"]


def test_demo_revision_raises_targets_and_adds_a_paragraph():
    original = seed_text("shenzhen")
    revised = demo_revision_text(original)
    assert "突破300亿元" in original and "突破300亿元" not in revised
    assert "突破500亿元" in revised and "8000亿元" in revised
    assert len(revised.splitlines()) == len(original.splitlines()) + 1
    with pytest.raises(ValueError):
        demo_revision_text("无关文本")


def test_error_modes_misbehave_on_demand(sim):
    [doc] = sim.list_documents("shenzhen")
    sim.inject_error("shenzhen", "500", target="detail")
    assert get(doc["url"])[0] == 500
    assert get(sim.list_url("shenzhen"))[0] == 200
    sim.clear_errors()
    sim.inject_error("shenzhen", "redirect_loop", target="detail")
    request = urllib.request.Request(doc["url"])
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(request, timeout=10)
    sim.clear_errors()
    sim.inject_error("shenzhen", "oversized", target="detail")
    assert len(get(doc["url"])[2]) >= sim.oversized_bytes
    with pytest.raises(ValueError):
        sim.inject_error("shenzhen", "explode")


def test_robots_txt_is_served(sim):
    status, _, body = get(sim.base_url + "/robots.txt")
    assert status == 200 and b"User-agent: *" in body


def test_two_simulators_run_side_by_side_on_free_ports():
    with SimulatedSites() as one, SimulatedSites() as two:
        assert one.base_url != two.base_url
    with pytest.raises(RuntimeError):
        _ = one.base_url
