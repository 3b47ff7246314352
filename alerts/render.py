"""The alert message: one JSON payload per (change, subscription), and text/HTML rendered from it.

The payload is the single source of truth: it is stored on the Alert row, sent as-is to machine
channels, and the plain-text and HTML bodies are pure functions of it, so a delivery retried
hours later sends exactly what was rendered when the change was detected. Rendering tolerates any
subset of the diff summary's keys (added, removed, changed, numbers, targets, lineage, headline).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage.models import Change, Document, DocumentVersion

PAYLOAD_SCHEMA = "policywatch.alert/1"
KIND_LABELS = {"new": "新发布 New", "revised": "修订 Revised", "removed": "撤下 Removed"}
AI_LABELS = {"yes": "是 yes", "borderline": "待定 borderline", "no": "否 no"}
LEVEL_LABELS = {
    "national": "国家级 national",
    "province": "省级 provincial",
    "city": "市级 city",
    "district": "区县级 district",
}
MAX_ITEMS = 8
MAX_CHARS = 240


@dataclass(frozen=True)
class RenderedAlert:
    """What a channel sends. ``idempotency_key`` lets receivers drop the rare duplicate."""

    subject: str
    text: str
    html: str
    payload: dict[str, Any]
    idempotency_key: str = ""

    def as_json(self) -> dict[str, Any]:
        """The record machine channels send (webhook body, JSON-lines line)."""
        return {"id": self.idempotency_key, "subject": self.subject, "text": self.text, **self.payload}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], idempotency_key: str = "") -> RenderedAlert:
        data = dict(payload)
        return cls(data["subject"], render_text(data), render_html(data), data, idempotency_key)


@dataclass
class Section:
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def version_link(base_url: str, document_id: int, version_id: int | None) -> str:
    base = base_url.rstrip("/")
    if version_id is None:
        return f"{base}/documents/{document_id}"
    return f"{base}/documents/{document_id}/versions/{version_id}"


def build_payload(
    document: Document,
    change: Change,
    version: DocumentVersion | None,
    base_url: str,
    *,
    subscription: str = "",
    reasons: Sequence[str] = (),
) -> dict[str, Any]:
    """The JSON-serialisable alert payload for one change (and the subscription it matched)."""
    title = document.title or (version.title if version else "") or "（无标题 untitled）"
    label = KIND_LABELS.get(change.kind, change.kind)
    summary = dict(change.summary or {})
    analysis = dict(version.analysis or {}) if version else {}
    links = {"version": version_link(base_url, document.id, version.id if version else None)}
    if change.previous_version_id:
        links["previous_version"] = version_link(base_url, document.id, change.previous_version_id)
    links["source"] = document.url
    return {
        "schema": PAYLOAD_SCHEMA,
        "subject": f"【{label}】{title}",
        "kind": change.kind,
        "kind_label": label,
        "headline": summary.get("headline") or "",
        "subscription": {"name": subscription, "reasons": list(reasons)},
        "document": {
            "id": document.id,
            "title": title,
            "doc_number": document.doc_number or "",
            "issuers": [str(i) for i in document.issuers or []],
            "province": document.province or "",
            "city": document.city or "",
            "district": document.district or "",
            "region_code": document.region_code or "",
            "admin_level": document.admin_level or "",
            "doc_type": document.doc_type or "",
            "ai_label": document.ai_label or "",
            "topics": [_short(t) for t in document.topics or []],
            "issue_date": _iso(document.issue_date),
            "publish_date": _iso(document.publish_date),
            "url": document.url,
        },
        "change": {
            "id": change.id,
            "detected_at": _iso(change.detected_at),
            "version_id": version.id if version else None,
            "version_seq": version.seq if version else None,
            "previous_version_id": change.previous_version_id,
            "summary": summary,
        },
        "plan": {"period": analysis.get("period"), "targets": list(analysis.get("targets") or [])},
        "links": links,
    }


def render_alert(
    document: Document,
    change: Change,
    version: DocumentVersion | None,
    base_url: str,
    *,
    subscription: str = "",
    reasons: Sequence[str] = (),
) -> RenderedAlert:
    """Subject, plain text, HTML and payload for one change as one subscriber sees it."""
    payload = build_payload(document, change, version, base_url, subscription=subscription, reasons=reasons)
    return RenderedAlert.from_payload(payload)


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
        ("变化 Change", payload.get("kind_label")),
        ("发现时间 Detected", (change.get("detected_at") or "")[:19].replace("T", " ")),
    ]:
        if value:
            info.fields.append((label, str(value)))
    out.append(info)

    sub = payload.get("subscription") or {}
    if sub.get("name"):
        out.append(Section("订阅 Subscription", [("名称 Name", sub["name"])], list(sub.get("reasons") or [])))

    if kind == "removed":
        out.append(
            Section("撤下 Removed", items=["该文件已从来源网站撤下，最后保存的版本仍可查看。"
                                           " The document was taken down from its source; the last stored"
                                           " version stays available."])
        )
    out.extend(_change_sections(summary, payload.get("links", {}).get("version", "")))
    plan = payload.get("plan") or {}
    if kind == "new" and (plan.get("targets") or plan.get("period")):
        targets = Section("规划目标 Plan targets")
        if plan.get("period"):
            targets.fields.append(("规划期 Period", _describe(plan["period"])))
        targets.items = _limited([_describe(t) for t in plan.get("targets") or []])
        out.append(targets)

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
    return out


def _change_sections(summary: Mapping[str, Any], version_url: str) -> list[Section]:
    base = version_url.split("/documents/", 1)[0]
    specs: list[tuple[str, str, Any]] = [
        ("added", "新增内容 Added", lambda x: "＋ " + _short(x)),
        ("removed", "删除内容 Removed", lambda x: "－ " + _short(x)),
        ("changed", "修改条款 Changed clauses", _changed),
        ("numbers", "数字变化 Changed numbers", _number),
        ("targets", "目标调整 Targets moved", _target),
        ("lineage", "借鉴其他地区文件 Text borrowed from other plans", lambda x: _lineage(x, base)),
    ]
    out: list[Section] = []
    for key, title, fmt in specs:
        values = summary.get(key)
        if not values:
            continue
        if not isinstance(values, list):
            values = [values]
        out.append(Section(f"{title}（{len(values)}）", items=_limited([fmt(v) for v in values])))
    return out


def render_text(payload: Mapping[str, Any]) -> str:
    """Plain-text body (also stored as Alert.body)."""
    lines = [str(payload.get("subject", ""))]
    if payload.get("headline"):
        lines += ["", f"摘要 Summary：{payload['headline']}"]
    for section in sections(payload):
        lines += ["", section.title]
        lines += [f"  {label}：{value}" for label, value in section.fields]
        for item in section.items:
            first, *rest = item.split("\n")
            lines.append(f"  {first}")
            lines += [f"      {line}" for line in rest]
    lines += ["", "—— policywatch 政策监测"]
    return "\n".join(lines) + "\n"


def render_html(payload: Mapping[str, Any]) -> str:
    """A simple HTML body for email clients, escaped throughout."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>"
        "<body style=\"font-family:sans-serif;line-height:1.5\">",
        f"<h2>{esc(str(payload.get('subject', '')))}</h2>",
    ]
    if payload.get("headline"):
        parts.append(f"<p><strong>摘要 Summary：</strong>{esc(str(payload['headline']))}</p>")
    for section in sections(payload):
        parts.append(f"<h3>{esc(section.title)}</h3>")
        if section.fields:
            parts.append("<table>")
            for label, value in section.fields:
                shown = (
                    f'<a href="{esc(value, quote=True)}">{esc(value)}</a>'
                    if value.startswith(("http://", "https://"))
                    else esc(value)
                )
                parts.append(f"<tr><th align=\"left\">{esc(label)}</th><td>{shown}</td></tr>")
            parts.append("</table>")
        if section.items:
            items = "".join(f"<li>{esc(item).replace(chr(10), '<br>')}</li>" for item in section.items)
            parts.append(f"<ul>{items}</ul>")
    parts.append("<p style=\"color:#888\">—— policywatch 政策监测</p></body></html>")
    return "\n".join(parts)


def _changed(item: Any) -> str:
    if not isinstance(item, Mapping):
        return "～ " + _short(item)
    head = "～ " + _short(item.get("clause") or "条款 clause")
    return f"{head}\n原 Before：{_short(item.get('before', ''))}\n现 After：{_short(item.get('after', ''))}"


def _number(item: Any) -> str:
    if not isinstance(item, Mapping):
        return _short(item)
    context = _short(item.get("context") or "")
    return f"{item.get('before', '?')} → {item.get('after', '?')}" + (f"（{context}）" if context else "")


def _target(item: Any) -> str:
    if not isinstance(item, Mapping):
        return _short(item)
    metric = _short(item.get("metric") or item.get("name") or "目标 target")
    year = f"（{item['year']}年）" if item.get("year") else ""
    return f"{metric}{year}：{item.get('before', '?')} → {item.get('after', '?')}"


def _lineage(item: Any, base_url: str) -> str:
    if not isinstance(item, Mapping):
        return _short(item)
    text = f"《{_short(item.get('title') or '?')}》"
    if item.get("region"):
        text += f"（{item['region']}）"
    share = item.get("share")
    if isinstance(share, int | float):
        percent = share * 100 if share <= 1 else share
        text += f" 相同文字占比 share {percent:.0f}%"
    if item.get("document_id") and base_url:
        text += f"\n{base_url}/documents/{item['document_id']}"
    return text


def _describe(item: Any) -> str:
    """One analysis value (a target, a period) as a short line, whatever its shape."""
    if isinstance(item, Mapping):
        metric = item.get("metric") or item.get("name") or item.get("indicator")
        value = item.get("value") or item.get("target") or item.get("text")
        if metric or value:
            unit = item.get("unit") or ""
            year = f"（{item['year']}年）" if item.get("year") else ""
            return _short(f"{metric or ''}{year}：{value or ''}{unit}".strip("："))
        if "start" in item or "end" in item:
            return f"{item.get('start', '?')}–{item.get('end', '?')}"
        return _short("，".join(f"{k}: {v}" for k, v in item.items()))
    if isinstance(item, list | tuple):
        return "–".join(str(v) for v in item)
    return _short(item)


def _limited(items: list[str]) -> list[str]:
    if len(items) <= MAX_ITEMS:
        return items
    return [*items[:MAX_ITEMS], f"…… 另有 {len(items) - MAX_ITEMS} 项 and {len(items) - MAX_ITEMS} more"]


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("text") or value.get("name") or value.get("label") or value
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _iso(value: date | datetime | None) -> str:
    return value.isoformat() if value else ""
