"""The REST API under /api/v1 on an archive filled by the real store stage (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json

from .conftest import ArchiveApp


def test_document_detail_carries_the_analysis_validity_provenance_and_relations(archive_app: ArchiveApp) -> None:
    c, ids = archive_app.client, archive_app.ids
    response = c.get(f"/api/v1/documents/{ids['liuzhou']}")
    assert response.status_code == 200
    doc = response.json()
    assert doc["region"]["city"] == "柳州市" and doc["period_start"] == 2020 and doc["period_end"] == 2025
    assert doc["ai"]["label"] == "yes" and doc["ai"]["evidence"] and doc["ai"]["topics"]
    assert doc["outline"][0]["heading"] and doc["targets"] and doc["responsibilities"]
    cited = {c["doc_number"]: c for c in doc["citations"]}
    assert cited["国发〔2017〕35号"]["document"]["id"] == ids["national"]
    assert cited["国发〔2017〕35号"]["method"] == "文号"
    assert doc["provenance"]["url"].endswith("/liuzhou.html") and doc["provenance"]["content_hash"]
    assert [b["document"]["id"] for b in doc["relations"]["borrows"]] == [ids["shenzhen"]]
    shenzhen = c.get(f"/api/v1/documents/{ids['shenzhen']}").json()
    assert [b["document"]["id"] for b in shenzhen["relations"]["borrowed_by"]] == [ids["liuzhou"]]
    assert len(shenzhen["versions"]) == 2


def test_validity_honours_the_plan_period_successors_and_as_of_days(archive_app: ArchiveApp) -> None:
    c, ids = archive_app.client, archive_app.ids
    in_2021 = c.get(f"/api/v1/documents/{ids['shenzhen']}", params={"on": "2021-06-01"}).json()["validity"]
    assert (in_2021["status"], in_2021["label"]) == ("in_force", "现行有效")
    in_2024 = c.get(f"/api/v1/documents/{ids['shenzhen']}", params={"on": "2024-03-01"}).json()["validity"]
    assert (in_2024["status"], in_2024["ends"]) == ("expired", "2023-12-31")
    expiring = c.get(f"/api/v1/documents/{ids['shenzhen']}", params={"on": "2023-12-01"}).json()["validity"]
    assert expiring["label"] == "即将失效" and expiring["days_left"] == 30
    nansha = c.get(f"/api/v1/documents/{ids['nansha']}", params={"on": "2026-06-01"}).json()["validity"]
    assert nansha["status"] == "expired"
    guangdong = c.get("/api/v1/in-force", params={"on": "2020-06-01", "region": "广东省"}).json()
    assert {d["id"] for d in guangdong["documents"]} == {ids["shenzhen"], ids["nansha"]}
    assert c.get("/api/v1/in-force", params={"on": "2024-06-01", "region": "广东省"}).json()["total"] == 0
    search = c.get("/api/v1/search", params={"in_force": "2024-06-01", "region": "深圳市"}).json()
    assert search["total"] == 0  # 深圳 2019–2023 is not in force in 2024


def test_text_as_of_a_day_is_the_version_current_then(archive_app: ArchiveApp) -> None:
    c, ids = archive_app.client, archive_app.ids
    feb = c.get(f"/api/v1/documents/{ids['shenzhen']}/as-of/2026-02-01").json()
    assert (feb["seq"], feb["status"]) == (1, "revised") and "突破300亿元" in feb["text"]
    april = c.get(f"/api/v1/documents/{ids['shenzhen']}/as-of/2026-04-01").json()
    assert (april["seq"], april["status"], april["exact"]) == (2, "current", True)
    before = c.get(f"/api/v1/documents/{ids['shenzhen']}/as-of/2021-01-01").json()
    assert (before["seq"], before["exact"]) == (1, False)  # issued then, captured later
    assert c.get(f"/api/v1/documents/{ids['nansha_2026']}/as-of/2021-01-01").status_code == 404


def test_diffs_of_versions_and_of_documents(archive_app: ArchiveApp) -> None:
    c, ids = archive_app.client, archive_app.ids
    diff = c.get(f"/api/v1/documents/{ids['shenzhen']}/diff").json()
    assert diff["changed"][0]["spans"][0]["before"] == "3" and diff["changed"][0]["spans"][0]["after"] == "5"
    assert any(t["before"] == "300亿元" and t["after"] == "500亿元" for t in diff["targets"])
    pair = c.get("/api/v1/compare", params={"old": ids["shenzhen"], "new": ids["liuzhou"]}).json()
    assert pair["old"]["id"] == ids["shenzhen"] and pair["changed"] and pair["similarity"] > 0.2
    assert c.get(f"/api/v1/documents/{ids['liuzhou']}/diff").status_code == 400  # one version only


def test_lineage_citations_region_plans_and_targets(archive_app: ArchiveApp) -> None:
    c, ids = archive_app.client, archive_app.ids
    lineage = c.get(f"/api/v1/documents/{ids['shenzhen']}/lineage").json()
    (borrower,) = lineage["borrowed_by"]
    assert borrower["document"]["id"] == ids["liuzhou"] and 0.3 <= borrower["share"] <= 0.6 and borrower["passages"]
    graph = c.get(f"/api/v1/documents/{ids['national']}/citations").json()
    assert {d["document"]["id"] for d in graph["cited_by"]} == {ids[n] for n in ("nansha", "liuzhou", "minhang", "shenzhen")}
    lags = {d["document"]["id"]: d["lag_months"] for d in graph["cited_by"]}
    assert lags[ids["minhang"]] == 13 and lags[ids["nansha"]] == 11  # 2017-07-08 → 2018-08-20 / 2018-06-19
    by_key = c.get("/api/v1/citations", params={"doc_number": "工信部科[2017]315号"}).json()
    assert by_key["document"] is None and len(by_key["cited_by"]) >= 2 and "上海市 闵行区" in by_key["regions"]
    plans = c.get("/api/v1/regions/南沙区/plans").json()
    assert [p["document"]["id"] for p in plans["plans"]] == [ids["nansha"], ids["nansha_2026"]]
    assert plans["plans"][1]["predecessor"]["id"] == ids["nansha"]
    assert [s["id"] for s in plans["plans"][0]["successors"]] == [ids["nansha_2026"]]
    targets = c.get("/api/v1/targets", params={"metric": "人工智能核心产业规模"}).json()
    assert {r["region"] for r in targets["rows"]} >= {"广东省 深圳市", "广东省 广州市 南沙区"}
    exported = c.get("/api/v1/targets.csv", params={"metric": "人工智能核心产业规模"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert exported.headers["content-type"].startswith("text/csv") and len(rows) == len(targets["rows"])


def test_errors_share_one_body_and_documents_revalidate_with_etags(archive_app: ArchiveApp) -> None:
    c, ids = archive_app.client, archive_app.ids
    for url, status in (("/api/v1/documents/999999", 404), ("/api/v1/documents/0", 422),
                        ("/api/v1/search?region=火星", 400), ("/api/v1/nothing-here", 404)):
        response = c.get(url)
        body = response.json()
        assert response.status_code == status == body["status"], url
        assert set(body) == {"status", "error", "message", "details"} and body["message"]
    first = c.get(f"/api/v1/documents/{ids['nansha']}")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert modified.endswith("GMT")
    again = c.get(f"/api/v1/documents/{ids['nansha']}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    version = c.get(f"/api/v1/documents/{ids['nansha']}/versions/{first.json()['latest_version_id']}")
    assert c.get(version.url, headers={"If-None-Match": version.headers["etag"]}).status_code == 304


def test_exports_include_the_analysis_and_search_has_facets(archive_app: ArchiveApp) -> None:
    c = archive_app.client
    rows = [json.loads(line) for line in c.get("/api/v1/export.jsonl").text.splitlines()]
    assert all("analysis" in row for row in rows)
    assert any(row["analysis"] and row["analysis"]["targets"] for row in rows)
    found = c.get("/api/v1/search", params={"q": "人工智能", "region": "广东省"}).json()
    assert found["total"] == 3 and {f["name"] for f in found["facets"]} >= {"region", "doc_type", "year"}
    assert all("<mark>" in hit["snippet"] for hit in found["hits"])
    assert c.get("/api/v1/openapi.json").json()["paths"]["/api/v1/documents/{document_id}"]
    assert "swagger-ui-bundle.js" in c.get("/api/v1/docs").text
