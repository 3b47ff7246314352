"""The alert message: subject, text and HTML name the document, what changed and where to read it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alerts.render import RenderedAlert, render_alert
from consumers.diffing.textdiff import diff_versions
from storage.models import Change, Document, DocumentVersion

BASE = "https://pw.example"


def shenzhen() -> Document:
    return Document(
        id=7, title="深圳市新一代人工智能发展行动计划（2019-2023年）", doc_number="深府〔2019〕38号",
        issuers=["深圳市人民政府"], province="广东省", city="深圳市", region_code="440300",
        admin_level="city", doc_type="plan", ai_label="yes", topics=["产业", "算力"],
        issue_date=date(2019, 5, 14), url="http://www.sz.gov.cn/zfgb/2019/gb1100/content_1.htm",
    )


def version(seq: int = 2, **fields: Any) -> DocumentVersion:
    return DocumentVersion(id=12, document_id=7, seq=seq, title="", text="", analysis=fields)


REVISION_SUMMARY = {
    "headline": "产业规模目标由300亿元上调至500亿元，新增算力条款",
    "added": ["建设城市级算力调度平台，到2023年算力规模达到1000PFlops。"],
    "removed": ["组织开展人工智能产品展览。"],
    "changed": [{"clause": "（二）发展目标", "before": "核心产业规模达到300亿元", "after": "核心产业规模达到500亿元"}],
    "numbers": [{"before": "300亿元", "after": "500亿元", "context": "核心产业规模"}],
    "targets": [{"metric": "人工智能核心产业规模", "before": "300亿元", "after": "500亿元", "year": 2023}],
    "lineage": [{"document_id": 3, "title": "上海市人工智能产业发展规划", "region": "上海市", "share": 0.35}],
}


def revised() -> RenderedAlert:
    change = Change(id=5, kind="revised", previous_version_id=11, summary=REVISION_SUMMARY,
                    detected_at=datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC))
    return render_alert(shenzhen(), change, version(), BASE, subscription="gd-consultancy",
                        reasons=["地区 region: 广东省"])


def test_subject_carries_kind_in_chinese_and_english_and_the_title() -> None:
    doc = shenzhen()
    new = render_alert(doc, Change(id=1, kind="new", summary={}), version(seq=1), BASE)
    removed = render_alert(doc, Change(id=2, kind="removed", summary={}), None, BASE)
    assert new.subject == "【新发布 New】深圳市新一代人工智能发展行动计划（2019-2023年）"
    assert revised().subject == "【修订 Revised】深圳市新一代人工智能发展行动计划（2019-2023年）"
    assert removed.subject == "【撤下 Removed】深圳市新一代人工智能发展行动计划（2019-2023年）"
    assert "已从来源网站撤下" in removed.text


def test_revision_text_names_document_changes_moved_targets_borrowed_text_and_links() -> None:
    text = revised().text
    for expected in [
        "摘要 Summary：产业规模目标由300亿元上调至500亿元，新增算力条款",
        "文号 Doc No.：深府〔2019〕38号",
        "发文机关 Issuer：深圳市人民政府",
        "地区 Region：广东省 深圳市（440300）",
        "成文日期 Issued：2019-05-14",
        "AI 相关 AI label：是 yes",
        "主题 Topics：产业、算力",
        "＋ 建设城市级算力调度平台",
        "－ 组织开展人工智能产品展览。",
        "～ （二）发展目标",
        "原 Before：核心产业规模达到300亿元",
        "现 After：核心产业规模达到500亿元",
        "300亿元 → 500亿元（核心产业规模）",
        "人工智能核心产业规模（2023年）：300亿元 → 500亿元",
        "《上海市人工智能产业发展规划》（上海市） 相同文字占比 share 35%",
        "https://pw.example/documents/3",
        "名称 Name：gd-consultancy",
        "地区 region: 广东省",
        "本版本 This version：https://pw.example/documents/7/versions/12",
        "上一版本 Previous version：https://pw.example/documents/7/versions/11",
        "原文 Source：http://www.sz.gov.cn/zfgb/2019/gb1100/content_1.htm",
    ]:
        assert expected in text, expected


def test_html_links_the_stored_version_and_escapes_document_text() -> None:
    doc = shenzhen()
    doc.title = "关于<script>的通知"
    message = render_alert(doc, Change(id=1, kind="new", summary={"added": ["a < b & c"]}), version(), BASE)
    assert '<a href="https://pw.example/documents/7/versions/12">' in message.html
    assert "&lt;script&gt;" in message.html and "<script>" not in message.html
    assert "a &lt; b &amp; c" in message.html


def test_new_plan_alert_lists_the_plans_targets_and_period() -> None:
    analysis = {"period": {"start": 2019, "end": 2023},
                "targets": [{"metric": "核心产业规模", "value": "300亿元", "year": 2023}]}
    message = render_alert(shenzhen(), Change(id=1, kind="new", summary={}), version(seq=1, **analysis), BASE)
    assert "规划期 Period：2019–2023" in message.text
    assert "核心产业规模（2023年）：300亿元" in message.text


def test_missing_or_oddly_shaped_summary_keys_still_render() -> None:
    odd = {"added": "一段新增文字", "changed": ["第三条已修改"], "numbers": [{"after": "5"}], "targets": ["x"],
           "lineage": [{"title": "某计划", "share": 40}], "unknown": {"x": 1}}
    for summary in ({}, odd):
        change = Change(id=1, kind="revised", summary=summary)
        message = render_alert(Document(id=1, title="", url="u"), change, None, BASE)
        assert message.subject == "【修订 Revised】（无标题 untitled）"
        assert "https://pw.example/documents/1" in message.text
    assert "＋ 一段新增文字" in message.text and "无 → 5" in message.text and "share 40%" in message.text


def test_payload_is_json_and_rerenders_to_the_same_message() -> None:
    message = revised()
    payload = json.loads(json.dumps(message.payload, ensure_ascii=False))
    assert payload["kind"] == "revised" and payload["document"]["doc_number"] == "深府〔2019〕38号"
    assert payload["change"]["summary"]["targets"][0]["after"] == "500亿元"
    again = RenderedAlert.from_payload(payload)
    assert (again.subject, again.text, again.html) == (message.subject, message.text, message.html)


def test_long_lists_and_paragraphs_are_shortened() -> None:
    change = Change(id=1, kind="revised", summary={"added": ["长" * 1000] + [f"段落{i}" for i in range(20)]})
    text = render_alert(shenzhen(), change, version(), BASE).text
    assert "长" * 239 + "…" in text and "长" * 241 not in text
    assert "另有 13 项 and 13 more" in text


def test_real_diff_summary_shows_whole_numbers_edited_and_the_clause(shared_dir: Path) -> None:
    old = (shared_dir / "seeds" / "004_279d2fb2746ce7ce.txt").read_text(encoding="utf-8")
    new = old.replace("核心产业规模突破300亿元", "核心产业规模突破500亿元", 1)
    summary = diff_versions(old, new).to_dict()
    change = Change(id=3, kind="revised", summary=summary, previous_version_id=11)
    text = render_alert(shenzhen(), change, version(), BASE).text
    assert "〔300→500〕亿元" in text
    assert "300亿元 → 500亿元" in text
    assert "～ 二、发展目标" in text
    assert f"摘要 Summary：{summary['headline']}" in text


def test_new_plan_shows_borrowed_text_and_targets_moved_since_the_earlier_plan() -> None:
    summary = {
        "headline": "新发布：深圳市新一代人工智能发展行动计划；约35%文本与《上海市人工智能规划》相同",
        "lineage": [{"document_id": 3, "title": "上海市人工智能规划", "region": "上海市", "share": 0.352,
                     "same_region": False, "passages": ["构建人工智能技术开放创新体系"]}],
        "predecessors": [{"document_id": 2, "title": "深圳市人工智能发展规划（2016-2018年）", "score": 0.8,
                          "headline": "对比前期规划", "new_topics": ["算力"], "dropped_topics": [],
                          "targets": [{"metric": "核心产业规模", "before": "100亿元", "before_year": 2018,
                                       "after": "300亿元", "after_year": 2023, "kind": "changed"}]}],
    }
    text = render_alert(shenzhen(), Change(id=1, kind="new", summary=summary), version(seq=1), BASE).text
    assert "· 《上海市人工智能规划》（上海市） 相同文字占比 share 35%" in text
    assert "「构建人工智能技术开放创新体系」" in text
    assert "· 《深圳市人工智能发展规划（2016-2018年）》" in text
    assert "核心产业规模：100亿元（2018年） → 300亿元（2023年）" in text
    assert "新增主题 New topics：算力" in text
    assert "https://pw.example/documents/2" in text


def test_removal_names_the_reason() -> None:
    summary = {"headline": "撤下：深圳市…", "reason": "连续2次未出现在栏目列表 (missing from list)"}
    text = render_alert(shenzhen(), Change(id=1, kind="removed", summary=summary), version(), BASE).text
    assert "原因 Reason：连续2次未出现在栏目列表 (missing from list)" in text
