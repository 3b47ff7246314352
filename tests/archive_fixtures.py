"""An archive filled by the real store stage (versions, relations, search index): the five seeds, a
national plan they cite, a region's new plan, a revised document and a document with hostile content."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from consumers.analysis import analyze
from consumers.store_stage import StoreStage
from core.events import DocumentUnderstood, content_hash
from core.metrics import Metrics
from crawlers.simulator import NEW_PLAN_TEXT

NATIONAL = (Path(__file__).parent / "consumers" / "texts" / "national_plan.txt").read_text(encoding="utf-8")
SEEDS = ("nansha", "shenyang", "liuzhou", "minhang", "shenzhen")
HOSTILE_TITLE = '关于<script>alert("t")</script><img src=x onerror=alert(1)>的通知'
HOSTILE_TEXT = (
    HOSTILE_TITLE + "\n杭政办函〔2025〕3号\n各区人民政府：\n"
    '<a href="javascript:alert(2)">点击</a> <b onmouseover="alert(3)">人工智能</b> 产业发展补贴。\n'
    "杭州市人民政府办公厅\n2025年1月2日\n"
)
HOSTILE_URL = "javascript:alert(4)//gov.example.cn/hostile.html"


def understood(name: str, text: str, url: str | None = None, fetched_at: datetime | None = None,
               title: str | None = None) -> DocumentUnderstood:
    analysis = analyze(text).to_dict()
    analysis.pop("text")
    return DocumentUnderstood(
        source_id="test", url=url or f"https://gov.example.cn/{name}.html", fetched_at=fetched_at or datetime.now(UTC),
        content_hash=content_hash(text), title=title or analysis["title"] or name, text=text, analysis=analysis,
    )


def seed_texts(shared_dir: Path) -> dict[str, str]:
    files = sorted((shared_dir / "seeds").glob("*.txt"))
    return {name: files[i].read_text(encoding="utf-8") for i, name in enumerate(SEEDS)}


def fill_archive(factory: sessionmaker[Session], shared_dir: Path) -> dict[str, int]:
    """Store everything with the real store stage; the document ids by name."""
    stage = StoreStage(factory, producer=None, metrics=Metrics())  # type: ignore[arg-type]
    texts = {**seed_texts(shared_dir), "national": NATIONAL, "nansha_2026": NEW_PLAN_TEXT}
    for name, text in texts.items():
        stage.store(understood(name, text, fetched_at=datetime(2026, 1, 5, tzinfo=UTC)))
    revised = texts["shenzhen"].replace("人工智能核心产业规模突破300亿元", "人工智能核心产业规模突破500亿元")
    stage.store(understood("shenzhen", revised, fetched_at=datetime(2026, 3, 9, tzinfo=UTC)))
    stage.store(understood("hostile", HOSTILE_TEXT, url=HOSTILE_URL, title=HOSTILE_TITLE))
    from storage.models import Document

    with factory() as session:
        ids = {}
        for document in session.query(Document):
            name = "hostile" if document.url == HOSTILE_URL else document.url.rsplit("/", 1)[1].removesuffix(".html")
            ids[name] = document.id
        return ids
