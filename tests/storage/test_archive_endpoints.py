"""The archive over HTTP (the real FastAPI app on a real database) and on the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from core.metrics import Metrics
from policywatch.cli import main
from policywatch.web import create_app
from storage.export import iter_rows, read_csv, read_jsonl

from .conftest import Archive


@pytest.fixture
def client(archive: Archive) -> TestClient:
    return TestClient(create_app(archive.factory, Metrics(), lambda: {}))


def test_search_endpoint_applies_text_and_filters(archive: Archive, client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "人工智能", "region": "广东省"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert {hit["id"] for hit in body["hits"]} == {archive.ids["shenzhen"], archive.ids["nansha"]}
    assert all("<mark>人工智能</mark>" in hit["snippet"] for hit in body["hits"])
    by_number = client.get("/api/search", params={"doc_number": "沈政办发[2018]144号"}).json()
    assert [hit["id"] for hit in by_number["hits"]] == [archive.ids["shenyang"]]
    in_force = client.get("/api/search", params={"q": "补贴", "in_force": "2025-01-01"}).json()
    assert [hit["id"] for hit in in_force["hits"]] == [archive.ids["hangzhou"]]
    dated = client.get("/api/search", params={"from": "2024-01-01", "type": "意见"}).json()
    assert [hit["issue_date"] for hit in dated["hits"]] == ["2024-03-01"]
    assert client.get("/api/search", params={"q": "人工智能", "region": "火星"}).status_code == 400


def test_versions_endpoint_lists_every_version(archive: Archive, client: TestClient) -> None:
    body = client.get(f"/api/documents/{archive.ids['suzhou']}/versions").json()
    assert [(v["seq"], v["latest"]) for v in body["versions"]] == [(1, False), (2, True)]
    assert body["versions"][0]["warc_record"].startswith("warc/")
    assert client.get("/api/documents/99999/versions").status_code == 404


def test_export_endpoints_stream_rows_that_parse_back(archive: Archive, client: TestClient) -> None:
    with archive.factory() as session:
        documents, versions = list(iter_rows(session)), list(iter_rows(session, versions=True))
    jsonl = client.get("/api/export.jsonl")
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    assert list(read_jsonl(io.StringIO(jsonl.text))) == documents
    exported = client.get("/api/export.csv", params={"versions": "true"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert list(read_csv(io.StringIO(exported.text, newline=""))) == versions


def test_cli_search_versions_and_export(archive: Archive, db_url: str, tmp_path: Path) -> None:
    env = {"POLICYWATCH_DATABASE__URL": db_url, "POLICYWATCH_VAR_DIR": str(tmp_path / "var")}
    runner = CliRunner()
    found = runner.invoke(main, ["search", "补贴", "--region", "上海市", "--json"], env=env)
    assert found.exit_code == 0, found.output
    assert [hit["doc_number"] for hit in json.loads(found.output)["hits"]] == ["闵府规发〔2018〕4号"]
    shown = runner.invoke(main, ["search", "具身智能", "--ai", "yes", "--in-force", "2025-01-01"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "杭政办函〔2024〕12号" in shown.output and "1 of 1" in shown.output
    bad = runner.invoke(main, ["search", "补贴", "--region", "火星"], env=env)
    assert bad.exit_code == 1 and "unknown or ambiguous region" in bad.output
    listed = runner.invoke(main, ["versions", str(archive.ids["suzhou"])], env=env)
    assert listed.exit_code == 0, listed.output
    assert "2 个版本 versions" in listed.output and "warc/2026-11-24.warc.gz#suzhou" in listed.output
    out = tmp_path / "documents.csv"
    exported = runner.invoke(main, ["export", "--format", "csv", "-o", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    with out.open(encoding="utf-8", newline="") as source:
        ids = [int(row["id"]) for row in csv.DictReader(source)]
    assert sorted(ids) == sorted(archive.ids.values())
