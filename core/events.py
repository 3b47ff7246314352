"""Typed, versioned events that cross stage boundaries, and the topics they travel on.

Every event is JSON in a CloudEvents-style envelope: ``specversion``, ``type``, ``source``, ``id``,
``time``, ``subject`` (the document key), ``schemaversion`` and ``data``. The Kafka message key is
the subject, so every event about one document lands in one partition and keeps its order.

Topic names appear only in ``TOPICS``; each payload type declares the topic it travels on.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import EventError

SPEC_VERSION = "1.0"

# Logical topic name -> suffix of the Kafka topic (prefixed by settings.kafka.topic_prefix).
TOPICS: dict[str, str] = {
    "pages": "pages.fetched",
    "documents": "documents.understood",
    "changes": "documents.changed",
    "deadletter": "deadletter",
    "crawl_requests": "crawl.requests",
}

# Consumer group (the stage's name) -> the logical topic it consumes: what lag is measured on.
CONSUMER_GROUPS: dict[str, str] = {
    "crawl-worker": "crawl_requests",
    "classify": "pages",
    "store": "documents",
    "alert": "changes",
}




def document_key(url: str) -> str:
    """Stable key of a document: its canonical URL hashed (scheme and fragment do not matter)."""
    canonical = url.split("#", 1)[0].strip()
    for scheme in ("https://", "http://"):
        if canonical.startswith(scheme):
            canonical = canonical[len(scheme) :]
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:20]


def content_hash(text: str) -> str:
    """Hash of normalised text: whitespace runs never make a new version."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class Payload(BaseModel):
    """Base of every event payload; subclasses set EVENT_TYPE, SCHEMA_VERSION and TOPIC."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str]

    def subject(self) -> str:
        """Message key: the document this event is about (source-level events override it)."""
        return document_key(str(getattr(self, "url", "")))


class ListEntry(BaseModel):
    """What a column list page said about a document link."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = ""
    date: str = ""


class PageValidators(BaseModel):
    """The HTTP validators a detail page came with. They travel with the page to the store stage, which
    records them (with ``body_sha256``) in the transaction that commits the version: only then does
    the next crawl ask "not modified?" (``core.crawl_state``). Optional: an event without them is
    valid, the next crawl simply fetches the page in full."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""


class PageFetched(Payload):
    """A detail page fetched by a spider, as served (decoded to text)."""

    EVENT_TYPE: ClassVar[str] = "policywatch.page.fetched"
    TOPIC: ClassVar[str] = "pages"

    source_id: str
    url: str
    final_url: str
    status: int
    fetched_at: datetime
    encoding: str
    html: str
    body_sha256: str = Field(description="sha256 of the raw bytes served")
    list_entry: ListEntry = Field(default_factory=ListEntry)
    region_hint: str = ""
    detail_hints: dict[str, str] = Field(default_factory=dict)
    attachments: list[dict[str, str]] = Field(default_factory=list)
    warc_record: str = ""
    validators: PageValidators = Field(default_factory=PageValidators)


class PageGone(Payload):
    """A known detail page answered 404/410, or vanished from its list for N crawls."""

    EVENT_TYPE: ClassVar[str] = "policywatch.page.gone"
    TOPIC: ClassVar[str] = "pages"

    source_id: str
    url: str
    status: int
    reason: str
    observed_at: datetime


class _Inventory(Payload):
    """Fields of a finished crawl's inventory, shared by the crawler's and the store's events."""

    source_id: str
    crawl_id: str
    finished_at: datetime
    complete: bool = Field(description="True when every list page was read; only then count missing")
    seen_urls: list[str]

    def subject(self) -> str:
        return f"source:{self.source_id}"


class SourceCrawled(_Inventory):
    """A crawl of one source finished; ``seen_urls`` is the complete inventory of its lists."""

    EVENT_TYPE: ClassVar[str] = "policywatch.source.crawled"
    TOPIC: ClassVar[str] = "pages"


class DocumentUnderstood(Payload):
    """A fetched page after classification: its text and the analysis of it."""

    EVENT_TYPE: ClassVar[str] = "policywatch.document.understood"
    TOPIC: ClassVar[str] = "documents"

    source_id: str
    url: str
    fetched_at: datetime
    content_hash: str
    title: str
    text: str
    analysis: dict[str, Any]
    body_sha256: str = ""
    warc_record: str = ""
    validators: PageValidators = Field(default_factory=PageValidators)


class DocumentGone(Payload):
    """Forwarded by the classify stage so that the store stage sees removals in document order."""

    EVENT_TYPE: ClassVar[str] = "policywatch.document.gone"
    TOPIC: ClassVar[str] = "documents"

    source_id: str
    url: str
    reason: str
    observed_at: datetime


class SourceInventory(_Inventory):
    """Forwarded SourceCrawled: the store stage marks documents missing from it."""

    EVENT_TYPE: ClassVar[str] = "policywatch.source.inventory"
    TOPIC: ClassVar[str] = "documents"


class DocumentChanged(Payload):
    """A stored document appeared, was revised or was removed. ``change_id`` is its database id."""

    EVENT_TYPE: ClassVar[str] = "policywatch.document.changed"
    TOPIC: ClassVar[str] = "changes"

    change_id: int
    document_id: int
    version_id: int | None
    url: str
    kind: Literal["new", "revised", "removed"]
    detected_at: datetime


class DeadLetter(Payload):
    """An event a stage could not process, with the error; the pipeline went on without it."""

    EVENT_TYPE: ClassVar[str] = "policywatch.deadletter"
    TOPIC: ClassVar[str] = "deadletter"

    stage: str
    topic: str
    partition: int
    offset: int
    key: str | None
    error: str
    raw: str

    def subject(self) -> str:
        return self.key or f"{self.topic}/{self.partition}/{self.offset}"


class CrawlRequested(Payload):
    """The scheduler asks for one crawl of one source; a crawl worker runs it. Keyed by source, so one
    source's requests stay in one partition and are crawled by one worker at a time. A request is
    satisfied by any crawl of its source that started after ``requested_at`` (two schedulers, or a
    redelivery after a worker died, never make two crawls of one due source)."""

    EVENT_TYPE: ClassVar[str] = "policywatch.crawl.requested"
    TOPIC: ClassVar[str] = "crawl_requests"

    source_id: str
    requested_at: datetime

    def subject(self) -> str:
        return f"source:{self.source_id}"


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.EVENT_TYPE: cls
    for cls in (
        PageFetched,
        PageGone,
        SourceCrawled,
        DocumentUnderstood,
        DocumentGone,
        SourceInventory,
        DocumentChanged,
        DeadLetter,
        CrawlRequested,
    )
}


class Envelope(BaseModel):
    """The CloudEvents-style wrapper around a payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    specversion: str = SPEC_VERSION
    type: str
    source: str
    id: str
    time: datetime
    subject: str
    schemaversion: int
    data: dict[str, Any]


def encode(payload: Payload, source: str) -> tuple[bytes, bytes]:
    """(key, value) bytes of an event for Kafka."""
    envelope = Envelope(
        type=payload.EVENT_TYPE,
        source=source,
        id=str(uuid.uuid4()),
        time=datetime.now(UTC),
        subject=payload.subject(),
        schemaversion=payload.SCHEMA_VERSION,
        data=payload.model_dump(mode="json"),
    )
    return envelope.subject.encode("utf-8"), envelope.model_dump_json().encode("utf-8")


def decode(value: bytes | None) -> tuple[Envelope, Payload]:
    """Parse and validate an event; raises EventError for anything malformed or unknown."""
    if value is None:
        raise EventError("empty message (tombstone)")
    try:
        envelope = Envelope.model_validate(json.loads(value))
    except (ValueError, ValidationError) as exc:
        raise EventError(f"not a policywatch event envelope: {exc}") from exc
    payload_type = PAYLOAD_TYPES.get(envelope.type)
    if payload_type is None:
        raise EventError(f"unknown event type {envelope.type!r}")
    if envelope.schemaversion != payload_type.SCHEMA_VERSION:
        raise EventError(
            f"{envelope.type} schema version {envelope.schemaversion} is not supported "
            f"(this build reads {payload_type.SCHEMA_VERSION})"
        )
    try:
        payload = payload_type.model_validate(envelope.data)
    except ValidationError as exc:
        raise EventError(f"invalid {envelope.type} payload: {exc}") from exc
    return envelope, payload
