"""The alert body as titled sections, whatever shape each diff summary item has.

Both renderings (plain text and HTML, in ``alerts.render``) walk these sections, so the two never
disagree. Every formatter accepts a dict of the documented shape, a plain string, or anything else
(rendered as text): a summary key the diffing stage adds later degrades, it never breaks an alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

AI_LABELS = {"yes": "是 yes", "borderline": "待定 borderline", "no": "否 no"}
LEVEL_LABELS = {
    "national": "国家级 national",
    "province": "省级 provincial",
    "provincial": "省级 provincial",
    "city": "市级 city",
    "municipal": "市级 municipal",
    "district": "区县级 district",
}
MAX_ITEMS = 8
MAX_CHARS = 240
EXCERPT_CHARS = 80
NUMBER_CHARS = frozenset("0123456789.,%")
# How the analysis marks a target's bound (超过300家 → ">"), shown the way plans write it.
COMPARATORS = {"~": "约", ">": "超过", ">=": "不少于", "<": "低于", "<=": "不超过"}


@dataclass
class Section:
    """A heading with label/value rows and free-text items (items may span lines)."""

    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def sections(payload: Mapping[str, Any]) -> list[Section]:
    """The message body as titled sections, shared by the text and HTML renderers."""
    doc = payload.get("document", {})
    change = payload.get("change", {})
    summary = change.get("summary") or {}
    kind = payload.get("kind", "")
    out: list[Section] = []

    region = " ".join(p for p in (doc.get("province"), doc.get("city"), doc.get("district")) if p)
    dates = [("成文日期 Issued", doc.get("issue_date")), ("发布日期 Published", doc.get("publish_date"))]
    info = Section("文件 Document")
    for label, value in [
        ("标题 Title", doc.get("title")),
        ("文号 Doc No.", doc.get("doc_number")),
        ("发文机关 Issuer", "、".join(doc.get("issuers") or [])),
        ("地区 Region", region + (f"（{doc['region_code']}）" if doc.get("region_code") else "")),
        ("层级 Level", LEVEL_LABELS.get(doc.get("admin_level", ""), doc.get("admin_level"))),
        ("类型 Type", doc.get("doc_type")),
        *dates,
        ("AI 相关 AI label", AI_LABELS.get(doc.get("ai_label", ""), doc.get("ai_label"))),
        ("主题 Topics", "、".join(doc.get("topics") or [])),
        ("时效 Validity", _validity_line(payload.get("validity"))),
        ("变化 Change", payload.get("kind_label")),
        ("与上一版相似度 Similarity", _percent(summary.get("similarity"), 1) if kind == "revised" else None),
        ("发现时间 Detected", (change.get("detected_at") or "")[:19].replace("T", " ")),
    ]:
        if value:
            info.fields.append((label, str(value)))
    if kind == "removed":
        out.append(
            Section("撤下 Removed", items=[
                "该文件已从来源网站撤下，最后保存的版本仍可查看。The document was taken down from its"
                " source; the last stored version stays available."
                + (f"\n原因 Reason：{shorten(summary['reason'])}" if summary.get("reason") else "")
            ])
        )
    significance = summary.get("significance")
    graded = isinstance(significance, Mapping) and bool(significance.get("grade"))
    if graded:
        # What matters most leads: changed targets (metric, old → new, year), then the grade and why.
        target_items = [_target(t) for t in summary.get("targets") or []]
        if target_items:
            out.append(Section(f"目标变化 Targets changed（{len(target_items)}）", items=_limited(target_items)))
        label = str(significance.get("label") or significance["grade"])  # type: ignore[union-attr,index]
        reasons = [f"· {shorten(r)}" for r in significance.get("reasons") or []]  # type: ignore[union-attr]
        out.append(Section("重要程度 Significance", [("等级 Grade", label)], _limited(reasons)))
    lifecycle = summary.get("lifecycle")
    if isinstance(lifecycle, Mapping) and lifecycle.get("label"):
        validity = Section("时效 Validity", [("状态 Status", str(lifecycle["label"]))])
        if lifecycle.get("ends"):
            validity.fields.append(("失效日期 Ends", str(lifecycle["ends"])))
        if isinstance(lifecycle.get("days_left"), int) and lifecycle["days_left"] >= 0:
            validity.fields.append(("剩余天数 Days left", str(lifecycle["days_left"])))
        if lifecycle.get("successor_title"):
            validity.fields.append(("接替文件 Successor", f"《{lifecycle['successor_title']}》"))
        out.append(validity)
    out.extend(_change_sections(summary, str(payload.get("base_url") or ""), skip_targets=graded))
    notes = [f"· {shorten(note)}" for note in payload.get("lineage_notes") or []]
    if notes:
        out.append(Section("沿用关系 Lineage", items=notes))
    plan = payload.get("plan") or {}
    if kind == "new" and (plan.get("targets") or plan.get("period")):
        targets = Section("规划目标 Plan targets")
        if plan.get("period"):
            targets.fields.append(("规划期 Period", _describe(plan["period"])))
        # The plan's end-of-period goals first: they are what readers compare across regions.
        ordered = sorted(plan.get("targets") or [], key=_year_desc)
        targets.items = _limited(["· " + _describe(t) for t in ordered])
        out.append(targets)

    out.append(info)

    evidence = payload.get("evidence") or {}
    if evidence.get("sha256"):
        info.fields.append(("证据 Evidence", f"sha256 {evidence['sha256']}"))
    if evidence.get("retrieved_at"):
        info.fields.append(("抓取时间 Retrieved", str(evidence["retrieved_at"])[:19].replace("T", " ")))
    links = payload.get("links") or {}
    out.append(
        Section(
            "链接 Links",
            [
                (label, links[key])
                for key, label in [
                    ("version", "本版本 This version"),
                    ("previous_version", "上一版本 Previous version"),
                    ("source", "原文 Source"),
                ]
                if links.get(key)
            ],
        )
    )
    sub = payload.get("subscription") or {}
    if sub.get("name"):
        reasons = list(sub.get("reasons") or [])
        out.append(Section("订阅 Why you received this", [("名称 Name", sub["name"])], reasons))
    return out


def _validity_line(value: Any) -> str | None:
    if not isinstance(value, Mapping) or not value.get("label") or value.get("status") == "unknown":
        return None
    ends = f"（至 until {value['ends']}）" if value.get("ends") else ""
    return f"{value['label']}{ends}"


def _change_sections(summary: Mapping[str, Any], base: str, skip_targets: bool = False) -> list[Section]:
    specs: list[tuple[str, str, Any]] = [
        ("targets", "目标调整 Targets moved", _target),
        ("added", "新增内容 Added", lambda x: _paragraph("＋", x)),
        ("removed", "删除内容 Removed", lambda x: _paragraph("－", x)),
        ("changed", "修改条款 Changed clauses", _changed),
        ("numbers", "数字变化 Changed numbers", _number),
        ("lineage", "与其他文件的相同文本 Text shared with other plans", lambda x: _lineage(x, base)),
        ("predecessors", "对比前期规划 Compared with earlier plans", lambda x: _predecessor(x, base)),
        ("successors", "接替规划，目标对照 Successor plan, targets side by side（前 → 后）", lambda x: _predecessor(x, base)),
    ]
    out: list[Section] = []
    for key, title, fmt in specs:
        if skip_targets and key == "targets":
            continue  # already the leading section
        values = summary.get(key)
        if not values:
            continue
        if not isinstance(values, list):
            values = [values]
        out.append(Section(f"{title}（{len(values)}）", items=_limited([fmt(v) for v in values])))
    return out


def _paragraph(sign: str, item: Any) -> str:
    if isinstance(item, Mapping):
        clause = f"【{shorten(item['clause'])}】" if item.get("clause") else ""
        return f"{sign} {clause}{shorten(item.get('text') or '')}"
    return f"{sign} {shorten(item)}"


def _changed(item: Any) -> str:
    if not isinstance(item, Mapping):
        return "～ " + shorten(item)
    before, after = str(item.get("before") or ""), str(item.get("after") or "")
    lines = ["～ " + shorten(item.get("clause") or "修改段落 edited paragraph")]
    spans = [span for span in item.get("spans") or [] if isinstance(span, Mapping)]
    if spans:
        edits = [_edit(span, before, after) for span in spans[:3]]
        lines.append("改动 Edits：" + "；".join(edits) + ("……" if len(spans) > 3 else ""))
    if len(before) + len(after) > 2 * EXCERPT_CHARS and spans:
        # Long paragraphs: show each side around its first edit, where the reader needs to look.
        first = spans[0]
        before = _window(before, *_range(first.get("before_range")))
        after = _window(after, *_range(first.get("after_range")))
    lines.append(f"原 Before：{shorten(before)}")
    lines.append(f"现 After：{shorten(after)}")
    return "\n".join(lines)


def _edit(span: Mapping[str, Any], before: str, after: str) -> str:
    """One edit with a little context: …产业规模突破〔300→500〕亿元…"""
    old, new = str(span.get("before") or ""), str(span.get("after") or "")
    b_start, b_end = _range(span.get("before_range"))
    a_start, a_end = _range(span.get("after_range"))
    left = right = ""
    if b_start >= 0 and a_start >= 0:
        # Character diffs cut numbers (1〔0→5〕个); widen the edit to whole numbers on both sides.
        while b_start > 0 and a_start > 0 and before[b_start - 1] == after[a_start - 1] in NUMBER_CHARS:
            b_start, a_start = b_start - 1, a_start - 1
        while b_end < len(before) and a_end < len(after) and before[b_end] == after[a_end] in NUMBER_CHARS:
            b_end, a_end = b_end + 1, a_end + 1
        old, new = before[b_start:b_end], after[a_start:a_end]
        left, right = before[max(0, b_start - 8):b_start], after[a_end:a_end + 6]
    if span.get("op") == "insert" or not old:
        core = f"〔+{shorten(new, 40)}〕"
    elif span.get("op") == "delete" or not new:
        core = f"〔-{shorten(old, 40)}〕"
    else:
        core = f"〔{shorten(old, 40)}→{shorten(new, 40)}〕"
    return f"…{left}{core}{right}…"


def _range(value: Any) -> tuple[int, int]:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    return -1, -1


def _window(text: str, start: int, end: int) -> str:
    if start < 0:
        return text
    left, right = max(0, start - EXCERPT_CHARS // 2), min(len(text), end + EXCERPT_CHARS // 2)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def _number(item: Any) -> str:
    if not isinstance(item, Mapping):
        return shorten(item)
    context = shorten(item.get("context") or "")
    before, after = item.get("before") or "无", item.get("after") or "无"
    return f"· {before} → {after}" + (f"（{context}）" if context else "")


def _target(item: Any) -> str:
    if not isinstance(item, Mapping):
        return shorten(item)
    metric = shorten(item.get("metric") or item.get("name") or "目标 target")
    year = f"（{item['year']}年）" if item.get("year") else ""
    if item.get("kind") == "added" or (item.get("before") is None and item.get("after") is not None):
        return f"· 新增 {metric}{year}：{item['after']}"
    if item.get("kind") == "removed" or (item.get("after") is None and item.get("before") is not None):
        return f"· 取消 {metric}{year}：{item['before']}"
    return f"· {metric}{year}：{item.get('before', '?')} → {item.get('after', '?')}"


def _lineage(item: Any, base_url: str) -> str:
    if not isinstance(item, Mapping):
        return shorten(item)
    text = f"· 《{shorten(item.get('title') or '?')}》"
    if item.get("region"):
        text += f"（{item['region']}）"
    if isinstance(item.get("share"), int | float):
        text += f" 相同文字占比 share {_percent(item['share'])}"
    direction = {"earlier": "更早发布，可能是来源 earlier, likely the source",
                 "later": "更晚发布，沿用了本文 later, reuses this text"}.get(str(item.get("direction")))
    if direction:
        text += f"（{direction}）"
    passages = [p for p in item.get("passages") or [] if p]
    if passages:
        text += f"\n「{shorten(passages[0], 80)}」"
    if item.get("document_id") and base_url:
        text += f"\n{base_url}/documents/{item['document_id']}"
    return text


def _predecessor(item: Any, base_url: str) -> str:
    if not isinstance(item, Mapping):
        return shorten(item)
    lines = [f"· 《{shorten(item.get('title') or '?')}》"]
    for target in item.get("targets") or []:
        if isinstance(target, Mapping) and target.get("kind") in ("changed", "new", "dropped"):
            before = f"{target.get('before') or '无'}" + (f"（{target['before_year']}年）" if target.get("before_year") else "")
            after = f"{target.get('after') or '无'}" + (f"（{target['after_year']}年）" if target.get("after_year") else "")
            lines.append(f"{shorten(target.get('metric') or '?')}：{before} → {after}")
    if item.get("new_topics"):
        lines.append("新增主题 New topics：" + "、".join(str(t) for t in item["new_topics"]))
    if item.get("dropped_topics"):
        lines.append("不再提及 Dropped topics：" + "、".join(str(t) for t in item["dropped_topics"]))
    if item.get("document_id") and base_url:
        lines.append(f"{base_url}/documents/{item['document_id']}")
    return "\n".join(lines[:1] + lines[1:10])


def _percent(value: Any, decimals: int = 0) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return f"{value * 100 if value <= 1 else value:.{decimals}f}%"


def _describe(item: Any) -> str:
    """One analysis value (a target, a period) as a short line, whatever its shape."""
    if isinstance(item, Mapping):
        metric = item.get("metric") or item.get("name") or item.get("indicator")
        value = item.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = value if value not in (None, "") else item.get("target") or item.get("text")
        if metric or value:
            unit = (item.get("unit") or "") if item.get("value") not in (None, "") else ""
            value = f"{COMPARATORS.get(str(item.get('comparator') or ''), '')}{value}"
            year = f"（{item['year']}年）" if item.get("year") else ""
            return shorten(f"{metric or ''}{year}：{value or ''}{unit}".strip("："))
        if "start" in item or "end" in item:
            return f"{item.get('start', '?')}–{item.get('end', '?')}"
        return shorten("，".join(f"{k}: {v}" for k, v in item.items()))
    if isinstance(item, list | tuple):
        return "–".join(str(v) for v in item)
    return shorten(item)


def _year_desc(target: Any) -> int:
    year = target.get("year") if isinstance(target, Mapping) else None
    return -year if isinstance(year, int) else 0


def _limited(items: list[str]) -> list[str]:
    if len(items) <= MAX_ITEMS:
        return items
    return [*items[:MAX_ITEMS], f"…… 另有 {len(items) - MAX_ITEMS} 项 and {len(items) - MAX_ITEMS} more"]


def shorten(value: Any, limit: int = MAX_CHARS) -> str:
    if isinstance(value, Mapping):
        value = value.get("text") or value.get("name") or value.get("label") or value
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def digest_lines(entry: Mapping[str, Any]) -> list[str]:
    """One change of a digest: kind, grade and title, then what matters most, where, and the link."""
    doc = entry.get("document") or {}
    summary = (entry.get("change") or {}).get("summary") or {}
    significance = summary.get("significance") or {}
    grade = f"｜{significance['label']}" if significance.get("label") else ""
    lines = [f"【{entry.get('kind_label', '')}{grade}】{doc.get('title', '')}"]
    lines += [shorten(reason) for reason in (significance.get("reasons") or [])[:2]]
    if not significance.get("reasons") and entry.get("headline"):
        lines.append(shorten(entry["headline"]))
    where = " ".join(p for p in (doc.get("province"), doc.get("city"), doc.get("district")) if p)
    lines.append(" · ".join(p for p in (where, doc.get("doc_number")) if p))
    lines.append(str((entry.get("links") or {}).get("version", "")))
    return [line for line in lines if line]
