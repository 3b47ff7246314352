"""Page rendering: p95 server-side time of the document, diff and search pages against the plain JSON
endpoint of the same data, in the same process, on a generated archive.

The archive (PAGES_DOCUMENTS documents, SQLite, real migrations) takes its texts from the seed plans'
paragraphs and each document's analysis from a real seed analysis (outline, targets, responsibilities,
citations), so pages carry realistic weight; one document in ten has a second, edited version, and
documents borrow from and cite each other. Requests go through the real application (``create_app``)
in-process, so the figure is rendering plus queries, without network.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from bench import Row
from consumers.analysis import analyze
from core.metrics import Metrics
from policywatch.web import create_app
from storage.db import make_engine, migrate, session_factory
from storage.models import Document, DocumentRelation, DocumentVersion
from storage.search_index import rebuild_index

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
PAGES_DOCUMENTS = 10_000
REQUESTS = 60
REGIONS = ("440300", "440115", "210100", "310112", "450200", "330100")


def _fill(engine: object) -> list[int]:
    """Documents, versions and relations in bulk; returns the ids of documents with two versions."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    analyses = []
    for body in texts:
        data = analyze(body).to_dict()
        data.pop("text")
        analyses.append(data)
    paragraphs = [line.strip() for body in texts for line in body.splitlines() if len(line.strip()) >= 20]
    rng = random.Random(2026)
    now = datetime.now(UTC)
    documents, versions, relations, revised = [], [], [], []
    vid = 0
    for i in range(1, PAGES_DOCUMENTS + 1):
        body = "\n".join(rng.sample(paragraphs, rng.randint(8, 24)))
        analysis = analyses[i % len(analyses)]
        title = f"关于印发第{i}号人工智能发展行动计划的通知"
        seqs = [body] if i % 10 else [body, body.replace("人工智能", "新一代人工智能", 3) + "\n新增：算力补贴。"]
        for seq, text in enumerate(seqs, 1):
            vid += 1
            versions.append({"id": vid, "document_id": i, "seq": seq, "content_hash": f"{vid:064x}",
                             "body_sha256": "", "fetched_at": now, "title": title, "text": text,
                             "analysis": analysis, "warc_record": "", "created_at": now})
        if len(seqs) > 1:
            revised.append(i)
        documents.append({
            "id": i, "key": f"page{i}", "source_id": "bench", "url": f"https://gov.example.cn/{i}.html",
            "title": title, "issuers": ["某市人民政府"], "topics": ["算力"], "region_code": rng.choice(REGIONS),
            "doc_type": "行动计划", "ai_label": "yes", "issue_date": date(2017, 1, 1) + timedelta(days=rng.randrange(3000)),
            "period_start": 2019, "period_end": 2023, "status": "active", "missing_count": 0,
            "last_missing_crawl": "", "first_seen": now, "last_seen": now, "latest_version_id": vid,
        })
        if i > 1:
            blank = {"share": None, "reverse_share": None, "score": None, "cited_title": None,
                     "cited_doc_number": None, "number_key": None, "title_key": None}
            relations.append({**blank, "kind": "borrows", "from_document_id": i, "to_document_id": rng.randrange(1, i),
                              "key": f"doc:{i}", "method": "text", "share": 0.3, "reverse_share": 0.2,
                              "directed": True, "detail": {"passages": paragraphs[:3]}, "updated_at": now})
            relations.append({**blank, "kind": "cites", "from_document_id": i, "to_document_id": rng.randrange(1, i),
                              "key": f"文号:x{i}", "method": "文号", "cited_doc_number": "国发〔2017〕35号",
                              "number_key": "国发〔2017〕35号", "directed": True, "detail": {}, "updated_at": now})
    migrate(engine)  # type: ignore[arg-type]
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(insert(Document), documents)
        conn.execute(insert(DocumentVersion), versions)
        conn.execute(insert(DocumentRelation), relations)
        rebuild_index(conn)
    return revised


def _p95_ms(client: TestClient, urls: list[str]) -> float:
    client.get(urls[0])
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.quantiles(times, n=20)[-1] * 1000


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'pages.db'}")
        try:
            started = time.perf_counter()
            revised = _fill(engine)
            built = time.perf_counter() - started
            client = TestClient(create_app(session_factory(engine), Metrics(), lambda: {}))
            rng = random.Random(7)
            ids = [rng.randrange(1, PAGES_DOCUMENTS + 1) for _ in range(REQUESTS)]
            diffs = [rng.choice(revised) for _ in range(REQUESTS)]
            words = ["人工智能", "算力", "智能网联汽车", "补贴", "数据 开放", "机器人"]
            queries = [rng.choice(words) for _ in range(REQUESTS)]
            cases: list[tuple[str, Callable[[int], str], Callable[[int], str], list]] = [
                ("document page", lambda i: f"/documents/{i}", lambda i: f"/api/v1/documents/{i}", ids),
                ("diff page", lambda i: f"/documents/{i}/diff", lambda i: f"/api/v1/documents/{i}/diff", diffs),
                ("search page (with facets)", lambda q: f"/search?q={q}", lambda q: f"/api/v1/search?q={q}", queries),
            ]
            for name, page, api, args in cases:
                ours = _p95_ms(client, [page(a) for a in args])
                base = _p95_ms(client, [api(a) for a in args])
                rows.append(Row(f"render {name}", ours, base, "ms p95", "JSON endpoint, same data",
                                f"{PAGES_DOCUMENTS} docs, SQLite; archive built in {built:.0f} s"))
        finally:
            engine.dispose()
    return rows
