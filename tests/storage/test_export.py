"""Exports parse back to exactly the rows the archive holds, in JSON Lines and in CSV."""

from __future__ import annotations

import io
from pathlib import Path

from storage.export import columns, iter_rows, read_csv, read_jsonl, write_export

from .conftest import Archive


def test_jsonl_and_csv_round_trip_every_document(archive: Archive, tmp_path: Path) -> None:
    archive.set_status("shenzhen", "removed")
    with archive.factory() as session:
        rows = list(iter_rows(session))
        jsonl, csv_path = io.StringIO(), tmp_path / "documents.csv"
        assert write_export(session, jsonl, "jsonl") == len(rows) == 7
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            assert write_export(session, out, "csv") == 7
    assert list(read_jsonl(io.StringIO(jsonl.getvalue()))) == rows
    with csv_path.open(encoding="utf-8", newline="") as source:
        assert list(read_csv(source)) == rows
    shenyang = next(r for r in rows if r["id"] == archive.ids["shenyang"])
    assert shenyang["doc_number"] == "沈政办发〔2018〕144号" and shenyang["issuers"] == ["沈阳市人民政府办公厅"]
    assert {r["status"] for r in rows} == {"active", "removed"}
    assert all(set(r) == set(columns()) for r in rows)


def test_versions_export_carries_every_version_with_its_text(archive: Archive) -> None:
    with archive.factory() as session:
        rows = list(iter_rows(session, versions=True))
        buffer = io.StringIO(newline="")
        write_export(session, buffer, "csv", versions=True)
    assert len(rows) == 8  # seven documents, 苏州 twice
    suzhou = [r for r in rows if r["id"] == archive.ids["suzhou"]]
    assert [r["seq"] for r in suzhou] == [1, 2]
    assert "数字孪生城市底座" in suzhou[0]["text"] and "城市信息模型平台" in suzhou[1]["text"]
    assert suzhou[1]["version_id"] == suzhou[1]["latest_version_id"]
    assert list(read_csv(io.StringIO(buffer.getvalue(), newline=""))) == rows  # multi-line texts survive CSV
