"""The alert message: one JSON payload per (change, subscription), and text/HTML rendered from it.

The payload is the single source of truth: it is stored on the Alert row, sent as-is to machine
channels, and the plain-text and HTML bodies are pure functions of it (through
``alerts.sections``), so a delivery retried hours later sends what was rendered when the change
was detected.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from alerts.sections import sections, shorten
from storage.models import Change, Document, DocumentVersion

PAYLOAD_SCHEMA = "policywatch.alert/1"
DIGEST_SCHEMA = "policywatch.digest/1"
KIND_LABELS = {"new": "新发布 New", "revised": "修订 Revised", "removed": "撤下 Removed",
               "expiring": "即将失效 Expiring", "expired": "已失效 Expired", "superseded": "已被替代 Superseded"}


@dataclass(frozen=True)
class RenderedAlert:
    """What a channel sends. ``idempotency_key`` lets receivers drop the rare duplicate."""

    subject: str
    text: str
    html: str
    payload: dict[str, Any]
    idempotency_key: str = ""
    # The subscriber's one-click unsubscribe link (email sends it as List-Unsubscribe); "" when none.
    unsubscribe_url: str = ""

    def as_json(self) -> dict[str, Any]:
        """The record machine channels send (webhook body, JSON-lines line)."""
        return {"id": self.idempotency_key, "subject": self.subject, "text": self.text, **self.payload}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], idempotency_key: str = "") -> RenderedAlert:
        data = dict(payload)
        return cls(data["subject"], render_text(data), render_html(data), data, idempotency_key)


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
    lineage: Sequence[str] = (),
) -> dict[str, Any]:
    """The JSON-serialisable alert payload for one change (and the subscription it matched)."""
    # One line: the title becomes a mail header and a chat notification title.
    title = " ".join((document.title or (version.title if version else "") or "（无标题 untitled）").split())
    label = KIND_LABELS.get(change.kind, change.kind)
    summary = dict(change.summary or {})
    analysis = dict(version.analysis or {}) if version else {}
    links = {"version": version_link(base_url, document.id, version.id if version else None)}
    if change.previous_version_id and change.previous_version_id != (version.id if version else None):
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
            "topics": [shorten(t) for t in document.topics or []],
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
        "base_url": base_url.rstrip("/"),
        "lineage_notes": list(lineage),
    }


def render_alert(
    document: Document,
    change: Change,
    version: DocumentVersion | None,
    base_url: str,
    *,
    subscription: str = "",
    reasons: Sequence[str] = (),
    lineage: Sequence[str] = (),
) -> RenderedAlert:
    """Subject, plain text, HTML and payload for one change as one subscriber sees it."""
    payload = build_payload(document, change, version, base_url, subscription=subscription, reasons=reasons,
                            lineage=lineage)
    return RenderedAlert.from_payload(payload)


def render_text(payload: Mapping[str, Any]) -> str:
    """Plain-text body (also stored as Alert.body)."""
    if payload.get("schema") == DIGEST_SCHEMA:
        return render_digest_text(payload)
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
    if payload.get("unsubscribe_url"):
        lines.append(f"退订 Unsubscribe：{payload['unsubscribe_url']}")
    return "\n".join(lines) + "\n"


def render_html(payload: Mapping[str, Any]) -> str:
    """A simple HTML body for email clients, escaped throughout."""
    esc = html.escape
    if payload.get("schema") == DIGEST_SCHEMA:
        return render_digest_html(payload)
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
                parts.append(f"<tr><th align=\"left\">{esc(label)}</th><td>{_html_line(value)}</td></tr>")
            parts.append("</table>")
        if section.items:
            items = "".join(f"<li>{'<br>'.join(map(_html_line, item.split(chr(10))))}</li>" for item in section.items)
            parts.append(f"<ul>{items}</ul>")
    if payload.get("unsubscribe_url"):
        url = html.escape(str(payload["unsubscribe_url"]), quote=True)
        parts.append(f"<p style=\"color:#888\"><a href=\"{url}\">退订 Unsubscribe</a></p>")
    parts.append("<p style=\"color:#888\">—— policywatch 政策监测</p></body></html>")
    return "\n".join(parts)


def _html_line(line: str) -> str:
    """Escaped text; a line that is a URL becomes a link."""
    if line.startswith(("http://", "https://")) and " " not in line:
        return f'<a href="{html.escape(line, quote=True)}">{html.escape(line)}</a>'
    return html.escape(line)


def _iso(value: date | datetime | None) -> str:
    return value.isoformat() if value else ""


def digest_lines(entry: Mapping[str, Any]) -> list[str]:
    """One change of a digest: kind, grade and title, then what matters most, where, and the link."""
    doc = entry.get("document") or {}
    summary = (entry.get("change") or {}).get("summary") or {}
    significance = summary.get("significance") or {}
    grade = f"｜{significance['label']}" if significance.get("label") else ""
    lines = [f"【{entry.get('kind_label', '')}{grade}】{doc.get('title', '')}"]
    lines += [str(reason) for reason in (significance.get("reasons") or [])[:2]]
    if not significance.get("reasons") and entry.get("headline"):
        lines.append(str(entry["headline"]))
    where = " ".join(p for p in (doc.get("province"), doc.get("city"), doc.get("district")) if p)
    lines.append(" · ".join(p for p in (where, doc.get("doc_number")) if p))
    lines.append(str((entry.get("links") or {}).get("version", "")))
    return [line for line in lines if line]


def render_digest_text(payload: Mapping[str, Any]) -> str:
    """A digest as plain text: one numbered block per change."""
    lines = [str(payload.get("subject", "")), f"订阅 Subscription：{(payload.get('subscription') or {}).get('name', '')}"]
    for number, entry in enumerate(payload.get("entries") or [], start=1):
        first, *rest = digest_lines(entry)
        lines += ["", f"{number}. {first}"] + [f"   {line}" for line in rest]
    lines += ["", "—— policywatch 政策监测"]
    if payload.get("unsubscribe_url"):
        lines.append(f"退订 Unsubscribe：{payload['unsubscribe_url']}")
    return "\n".join(lines) + "\n"


def render_digest_html(payload: Mapping[str, Any]) -> str:
    """A digest as HTML: one list item per change."""
    items = []
    for entry in payload.get("entries") or []:
        first, *rest = digest_lines(entry)
        items.append(f"<li><strong>{html.escape(first)}</strong><br>" + "<br>".join(map(_html_line, rest)) + "</li>")
    footer = "<p style=\"color:#888\">—— policywatch 政策监测</p>"
    if payload.get("unsubscribe_url"):
        url = html.escape(str(payload["unsubscribe_url"]), quote=True)
        footer += f"<p style=\"color:#888\"><a href=\"{url}\">退订 Unsubscribe</a></p>"
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">"
            f"<h2>{html.escape(str(payload.get('subject', '')))}</h2><ol>{''.join(items)}</ol>{footer}</body></html>")
