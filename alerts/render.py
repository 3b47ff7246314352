"""The alert message: one JSON payload per (change, subscription), and text/HTML rendered from it.

The payload is the single source of truth: it is stored on the Alert row, sent as-is to machine
channels, and the plain-text and HTML bodies are pure functions of it (through
``alerts.sections``), so a delivery retried hours later sends what was rendered when the change
was detected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from alerts.sections import shorten
from alerts.templating import DEFAULT_TEMPLATES, AlertTemplates
from storage.models import Change, Document, DocumentVersion
from storage.validity import validity

PAYLOAD_SCHEMA = "policywatch.alert/1"
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
    # The subscription's webhook signing secret (whsec_…); never part of a message body or a log line.
    signing_secret: str = field(default="", repr=False)
    # The subscriber's one-click unsubscribe link (email sends it as List-Unsubscribe); "" when none.
    unsubscribe_url: str = ""
    # The same content as Markdown, for chat robots that render it (钉钉, 企业微信, 飞书).
    markdown: str = ""

    def as_json(self) -> dict[str, Any]:
        """The record machine channels send (webhook body, JSON-lines line)."""
        return {"id": self.idempotency_key, "subject": self.subject, "text": self.text, **self.payload}

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any], idempotency_key: str = "", templates: AlertTemplates | None = None
    ) -> RenderedAlert:
        """Every format of one payload, through the templates in use (the built-in ones by default)."""
        data = dict(payload)
        return cls(
            data["subject"], render_text(data, templates), render_html(data, templates), data, idempotency_key,
            unsubscribe_url=str(data.get("unsubscribe_url") or ""), markdown=render_markdown(data, templates),
        )


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
        # Evidence: what exactly was read, and when (the capture's hash and retrieval time).
        "evidence": {
            "sha256": (version.body_sha256 or version.content_hash) if version else "",
            "retrieved_at": _iso(version.fetched_at) if version else "",
        },
        "validity": _validity(document, change),
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


def render_text(payload: Mapping[str, Any], templates: AlertTemplates | None = None) -> str:
    """Plain-text body (also stored as Alert.body): ``alert.txt.j2`` or ``digest.txt.j2``."""
    return (templates or DEFAULT_TEMPLATES).render(payload, "txt")


def render_html(payload: Mapping[str, Any], templates: AlertTemplates | None = None) -> str:
    """HTML body for email clients, autoescaped: ``alert.html.j2`` or ``digest.html.j2``."""
    return (templates or DEFAULT_TEMPLATES).render(payload, "html")


def render_markdown(payload: Mapping[str, Any], templates: AlertTemplates | None = None) -> str:
    """Markdown body for chat robots (钉钉, 企业微信, 飞书): ``alert.md.j2`` or ``digest.md.j2``."""
    return (templates or DEFAULT_TEMPLATES).render(payload, "md")


def render_digest_text(payload: Mapping[str, Any]) -> str:
    """A digest's plain text (the digest payload carries its schema; kept for readers of digests)."""
    return render_text(payload)


def _validity(document: Document, change: Change) -> dict[str, Any]:
    """In force, expiring, expired … on the day the change was detected (successors are not known here)."""
    detected = change.detected_at.date() if change.detected_at else date.today()
    status = validity(document, detected)
    return {"status": status.status, "label": status.label, "ends": _iso(status.ends), "basis": status.basis}


def _iso(value: date | datetime | None) -> str:
    return value.isoformat() if value else ""

