"""Classify stage: turns a fetched page into an understood document (text + analysis).

Stateless, so redelivery simply republishes the same understanding; the store stage deduplicates
by document key and content hash. Removals and inventories are forwarded onto the documents topic
so the store stage sees every event about a document in order.
"""

from __future__ import annotations

import logging

from consumers.analysis import analyze
from core.bus import EventProducer
from core.errors import PermanentError
from core.events import (
    DocumentGone,
    DocumentUnderstood,
    Envelope,
    PageFetched,
    PageGone,
    Payload,
    SourceCrawled,
    SourceInventory,
    content_hash,
)

log = logging.getLogger(__name__)


class EmptyDocument(PermanentError):
    """The page had no readable body text."""


class ClassifyStage:
    name = "classify"
    input_topic = "pages"

    def __init__(self, producer: EventProducer) -> None:
        self._producer = producer

    def handle(self, envelope: Envelope, payload: Payload) -> None:
        if isinstance(payload, PageFetched):
            self._producer.publish(self.understand(payload))
        elif isinstance(payload, PageGone):
            self._producer.publish(
                DocumentGone(
                    source_id=payload.source_id,
                    url=payload.url,
                    reason=f"HTTP {payload.status}: {payload.reason}",
                    observed_at=payload.observed_at,
                )
            )
        elif isinstance(payload, SourceCrawled):
            self._producer.publish(SourceInventory(**payload.model_dump()))
        else:
            raise PermanentError(f"classify stage does not handle {envelope.type}")

    @staticmethod
    def understand(page: PageFetched) -> DocumentUnderstood:
        hints = dict(page.detail_hints)
        if page.list_entry.title:
            hints["list_title"] = page.list_entry.title
        if page.list_entry.date:
            hints["list_date"] = page.list_entry.date
        if page.region_hint:
            hints["region"] = page.region_hint
        url = page.final_url or page.url
        analysis = analyze(html=page.html, url=url, hints=hints)
        data = analysis.to_dict()
        data.pop("text", None)  # the text travels once, beside the analysis
        text = analysis.text
        appendix = _attachment_texts(page.attachments)
        if appendix:
            # Often the page is only the covering notice and the plan itself is the attached PDF/DOCX:
            # read both together, keeping what the page (and its 信息公开 table) said about itself.
            text = f"{text}\n\n{appendix}"
            combined = analyze(text=text, url=url, hints=hints).to_dict()
            combined.pop("text", None)
            data = {**combined, **{k: data[k] for k in PAGE_FIELDS if data.get(k)}}
        data["attachments"] = [
            {k: a.get(k, "") for k in ("name", "url", "kind", "status")} for a in page.attachments
        ]
        if not text.strip():
            raise EmptyDocument(f"no body text extracted from {page.url}")
        title = data.get("title") or page.list_entry.title or page.url
        return DocumentUnderstood(
            source_id=page.source_id,
            url=page.url,
            fetched_at=page.fetched_at,
            content_hash=content_hash(text),
            title=title,
            text=text,
            analysis=data,
            body_sha256=page.body_sha256,
            warc_record=page.warc_record,
            validators=page.validators,
        )


# What the detail page states about itself wins over what the attachments' text suggests.
PAGE_FIELDS = (
    "title", "notice_title", "doc_number", "issuers", "issue_date", "publish_date",
    "effective_date", "expiry_date", "admin_level", "doc_type",
)


def _attachment_texts(attachments: list[dict[str, str]]) -> str:
    parts = [
        f"附件：{a.get('name') or a.get('url', '')}\n{a['text'].strip()}"
        for a in attachments
        if a.get("status") == "extracted" and (a.get("text") or "").strip()
    ]
    return "\n\n".join(parts)
