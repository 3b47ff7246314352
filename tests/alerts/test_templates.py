"""Jinja2 alert templates: the same content in text, HTML and Markdown, and an operator's folder
overrides a template by name while the others stay built in."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import FileChannel
from alerts.delivery import Deliverer, RetryPolicy
from alerts.render import render_alert
from alerts.service import create_alerts
from alerts.subscriptions import SubscriptionSpec, sync_subscriptions
from alerts.templating import AlertTemplates
from core.errors import ConfigurationError
from core.settings import AlertSettings
from storage.db import transaction
from storage.models import Change, Document, DocumentVersion
from tests.clock import FakeClock

BASE = "https://pw.example"
SHA = "ab" * 32
SUMMARY = {
    "headline": "修订；目标变化：人工智能核心产业规模 300亿元→500亿元",
    "changed": [{"clause": "二、发展目标", "before": "核心产业规模达到300亿元", "after": "核心产业规模达到500亿元"}],
    "targets": [{"metric": "人工智能核心产业规模", "before": "300亿元", "after": "500亿元", "year": 2023}],
    "significance": {"grade": "major", "label": "重大 major",
                     "reasons": ["目标变化 target changed：人工智能核心产业规模 300亿元 → 500亿元（2023年）"]},
}


def message():  # type: ignore[no-untyped-def]
    doc = Document(id=7, title="深圳市新一代人工智能发展行动计划（2019-2023年）", doc_number="深府〔2019〕38号",
                   issuers=["深圳市人民政府"], province="广东省", city="深圳市", issue_date=date(2019, 5, 14),
                   period_start=2019, period_end=2023, url="http://www.sz.gov.cn/a.htm")
    version = DocumentVersion(id=12, document_id=7, seq=2, body_sha256=SHA,
                              fetched_at=datetime(2023, 6, 1, 8, 30, tzinfo=UTC), analysis={})
    change = Change(id=5, kind="revised", previous_version_id=11, summary=SUMMARY,
                    detected_at=datetime(2023, 6, 1, 9, 0, tzinfo=UTC))
    return render_alert(doc, change, version, BASE, subscription="gd", reasons=["地区 region: 广东省"],
                        lineage=["柳州市 2020 沿用 reuses 33% of 深圳市 2019《深圳市新一代人工智能发展行动计划》"])


@pytest.mark.parametrize("fmt", ["text", "html", "markdown"])
def test_every_format_carries_the_same_content(fmt: str) -> None:
    body = getattr(message(), fmt)
    for fact in [
        "深圳市新一代人工智能发展行动计划（2019-2023年）",  # what
        "广东省 深圳市",  # where
        "深圳市人民政府",  # who
        "深府〔2019〕38号",  # 文号
        "重大 major",  # significance
        "300亿元 → 500亿元",  # changed target
        "核心产业规模达到500亿元",  # clause excerpt
        "柳州市 2020 沿用 reuses 33%",  # lineage
        "现行有效",  # validity on the day it was detected
        f"{BASE}/documents/7/versions/12",  # permalink
        f"sha256 {SHA}",  # evidence
        "2023-06-01 08:30:00",  # retrieval time
    ]:
        assert fact in body, f"{fmt} lacks {fact}"


def test_markdown_escapes_markup_in_titles_and_links_urls() -> None:
    md = message().markdown
    assert md.startswith("### 【修订 Revised】")
    assert f"[{BASE}/documents/7/versions/12]({BASE}/documents/7/versions/12)" in md
    assert "<" not in md


def test_operator_folder_overrides_one_template_and_keeps_the_others(
    factory: sessionmaker[Session], tmp_path: Path, library  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "alert.txt.j2").write_text("自定义 {{ payload.document.doc_number or '无文号' }}：{{ payload.subject }}\n",
                                          encoding="utf-8")
    outbox = tmp_path / "outbox.jsonl"
    with transaction(factory) as session:
        sync_subscriptions(session, [SubscriptionSpec(name="f", channel="file", target=str(outbox))])
    change = library.publish("shenyang")
    with transaction(factory) as session:
        create_alerts(session, session.get_one(Change, change.id), BASE)
    deliverer = Deliverer({"file": FileChannel()}, RetryPolicy.from_settings(AlertSettings()), clock=FakeClock(),
                          templates=AlertTemplates(folder))
    assert deliverer.deliver_due(factory).sent == 1
    (sent,) = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sent["text"] == "自定义 沈政办发〔2018〕144号：【新发布 New】沈阳市新一代人工智能发展规划三年行动计划（2018-2020年）\n"


def test_missing_template_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="templates_dir"):
        AlertTemplates(tmp_path / "nope")


def test_chat_robots_that_render_markdown_get_the_markdown_body_others_plain_text() -> None:
    import apprise
    from apprise.decorators import notify

    from alerts.channels import AppriseChannel

    got: list[tuple[str, str, str]] = []

    @notify(on="pwrobot")
    def _robot(body: str, title: str, notify_type: str, meta: dict, *args: object, **kwargs: object) -> bool:
        got.append((title, body, str(kwargs.get("body_format"))))
        return True

    @notify(on="pwplain")
    def _plain(body: str, title: str, notify_type: str, meta: dict, *args: object, **kwargs: object) -> bool:
        got.append((title, body, str(kwargs.get("body_format"))))
        return True

    alert = message()
    channel = AppriseChannel(markdown_schemes=frozenset({"pwrobot"}))
    channel.send("pwrobot://room", alert)
    channel.send("pwplain://room", alert)
    (robot_title, robot_body, robot_format), (_, plain_body, plain_format) = got
    assert robot_title == alert.subject and robot_body == alert.markdown.strip()
    assert robot_format == str(apprise.NotifyFormat.MARKDOWN) and "**重要程度 Significance**" in robot_body
    assert plain_body == alert.text.strip() and plain_format == str(apprise.NotifyFormat.TEXT)
