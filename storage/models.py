"""SQLAlchemy 2.0 models: the database is policywatch's source of truth."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType, list[Any]: JsonType, datetime: DateTime(timezone=True)}


class Source(Base):
    """A watched site column, mirrored from its definition file at start."""

    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100), default="")
    layout: Mapped[str] = mapped_column(String(50), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    """One crawl of one source and how it ended (shown by `policywatch status`)."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    # Who runs it ("host:pid") and when it last said so: a run whose owner died ends as "interrupted".
    owner: Mapped[str] = mapped_column(String(200), default="")
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)


class PageState(Base):
    """What the crawler knows of one URL of a source: validators and body hash, for conditional GETs.

    The seen-mark follows durability: a detail page's row is written only by the store stage, in the
    transaction that commits its document version (or finds the content unchanged), so a crash
    between fetch and commit leaves no row and the page is fetched again. List pages are written
    after the crawl, with their body, so a list answering 304 can still be parsed for its links.
    """

    __tablename__ = "page_states"
    __table_args__ = (UniqueConstraint("source_id", "url_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64))
    url_hash: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    sha256: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(Text, default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    content_type: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WindowStateRow(Base):
    """The newest-pages-only window of a source: what it showed last crawl, and what left it."""

    __tablename__ = "window_states"
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[list[Any]] = mapped_column(default=list)
    departed: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """A policy document identified by its URL; its content lives in versions."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    doc_number: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    issuers: Mapped[list[Any]] = mapped_column(default=list)
    province: Mapped[str | None] = mapped_column(String(50), default=None)
    city: Mapped[str | None] = mapped_column(String(50), default=None)
    district: Mapped[str | None] = mapped_column(String(50), default=None)
    region_code: Mapped[str | None] = mapped_column(String(12), default=None, index=True)
    admin_level: Mapped[str | None] = mapped_column(String(20), default=None)
    doc_type: Mapped[str | None] = mapped_column(String(20), default=None)
    ai_label: Mapped[str | None] = mapped_column(String(20), default=None)
    ai_score: Mapped[float | None] = mapped_column(Float, default=None)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    issue_date: Mapped[date | None] = mapped_column(Date, default=None)
    publish_date: Mapped[date | None] = mapped_column(Date, default=None)
    effective_date: Mapped[date | None] = mapped_column(Date, default=None)
    expiry_date: Mapped[date | None] = mapped_column(Date, default=None)
    # The planning period's years (2019–2023): a plan lapses at the end of its period (storage.validity).
    period_start: Mapped[int | None] = mapped_column(Integer, default=None)
    period_end: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(20), default="active")
    missing_count: Mapped[int] = mapped_column(Integer, default=0)
    # The crawl that last counted this document missing: a redelivered inventory counts once.
    last_missing_crawl: Mapped[str] = mapped_column(String(64), default="")
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    latest_version_id: Mapped[int | None] = mapped_column(Integer, default=None)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.seq"
    )


class DocumentVersion(Base):
    """One distinct content of a document, stored once (idempotent by content hash)."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "seq"),
        Index("ix_versions_doc_hash", "document_id", "content_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64), default="")
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warc_record: Mapped[str] = mapped_column(Text, default="")
    # MinHash sketch for lineage, so the index is rebuilt at start without re-reading every text.
    lineage_signature: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")


class DocumentKey(Base):
    """A key a citation can name this document by: its 文号 or its title (own or covering notice).

    Written with each version, so a citation stored earlier resolves when the document it names arrives.
    """

    __tablename__ = "document_keys"
    __table_args__ = (UniqueConstraint("document_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "文号" | "title"
    key: Mapped[str] = mapped_column(String(300), index=True)


class DocumentRelation(Base):
    """A relation between two documents, read from both sides (``storage.relations``).

    ``from_document`` is the borrower (``borrows``), the citing document (``cites``) or the later plan
    (``succeeds``); ``to_document`` is the source, the cited document (None while it is not stored) or the
    predecessor. ``key`` tells the relations of one kind and one document apart.
    """

    __tablename__ = "document_relations"
    __table_args__ = (UniqueConstraint("kind", "from_document_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    to_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), default=None, index=True)
    key: Mapped[str] = mapped_column(String(300))
    # cites: "文号" or "title" once resolved; borrows: "text"; succeeds: "region"
    method: Mapped[str] = mapped_column(String(20), default="")
    # borrows: share of the borrower's text found in the source, and of the source's text in the borrower
    share: Mapped[float | None] = mapped_column(Float, default=None)
    reverse_share: Mapped[float | None] = mapped_column(Float, default=None)
    # borrows: False when neither side's date tells which came first (the pair is then ordered by key)
    directed: Mapped[bool] = mapped_column(Boolean, default=True)
    # succeeds: how alike the two plans are (genre, title, topics)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    # cites: what the citing text printed, and the keys it resolves by
    cited_title: Mapped[str | None] = mapped_column(Text, default=None)
    cited_doc_number: Mapped[str | None] = mapped_column(String(120), default=None)
    number_key: Mapped[str | None] = mapped_column(String(120), default=None, index=True)
    title_key: Mapped[str | None] = mapped_column(String(300), default=None, index=True)
    # borrows: aligned passages; succeeds: target changes and topics
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Change(Base):
    """A detected change; also the outbox: ``published_at`` is set once its event was acknowledged.

    ``alerted_at`` is set by the alert stage in the transaction that creates the change's alerts (even when
    no subscription matched). A change published but never alerted was lost in flight (the embedded broker
    keeps nothing across a crash), so the outbox relay publishes it again; alert creation is idempotent."""

    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"), default=None)
    previous_version_id: Mapped[int | None] = mapped_column(Integer, default=None)
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    alerted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # The trace id of the fetch this change came from (core.tracing), carried on to its alerts.
    trace_id: Mapped[str] = mapped_column(String(32), default="", server_default="")

    document: Mapped[Document] = relationship()


class Subscription(Base):
    """Who wants which alerts: filters by region (with hierarchy), keywords, topics and change kind."""

    __tablename__ = "subscriptions"
    # Names are an account's own: another account's subscription names are never visible or in the way.
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_subscriptions_account_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(Text, default="")
    regions: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    change_kinds: Mapped[list[Any]] = mapped_column(default=list)
    ai_only: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The owner (None only on rows older than accounts; the TOML file syncs into the "operator" account).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    admin_levels: Mapped[list[Any]] = mapped_column(default=list)
    doc_types: Mapped[list[Any]] = mapped_column(default=list)
    issuers: Mapped[list[Any]] = mapped_column(default=list)
    min_ai_score: Mapped[float | None] = mapped_column(Float, default=None)
    min_significance: Mapped[str | None] = mapped_column(String(20), default=None)
    # "word": a keyword matches whole segmented words (人工 not inside 人工智能); "substring": anywhere.
    keyword_mode: Mapped[str] = mapped_column(String(10), default="word")
    # Standard Webhooks signing secret (whsec_…); kept in clear because signing needs it.
    webhook_secret: Mapped[str] = mapped_column(String(100), default="")
    # The secret part of the subscription's Atom feed URL.
    feed_token: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    # Set by the one-click unsubscribe link; an unsubscribed subscription receives nothing.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(default=None)
    # "off" (each alert at once), "daily" or "weekly" (one message at digest_hour, local time).
    digest: Mapped[str] = mapped_column(String(10), default="off")
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday, for weekly digests
    last_digest_at: Mapped[datetime | None] = mapped_column(default=None)


class Alert(Base):
    """One change matched to one subscription: created once, whatever the redeliveries."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("change_id", "subscription_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    trace_id: Mapped[str] = mapped_column(String(32), default="", server_default="")

    subscription: Mapped[Subscription] = relationship()
    change: Mapped[Change] = relationship()


class Delivery(Base):
    """Sending one alert over its subscription's channel, on its own retry schedule.

    ``status``: pending (due at ``next_attempt_at``), sending (claimed until ``lease_until``; an
    expired lease makes it due again), sent, failed (out of attempts or retry window; re-sendable).
    """

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    first_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)

    alert: Mapped[Alert] = relationship()


class Account(Base):
    """A subscriber (a consultancy, a team): owns subscriptions, their alerts and deliveries, and API keys."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A named, revocable API key of an account; only the token's SHA-256 is stored (shown once at creation)."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, so an operator can tell keys apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
class DigestItem(Base):
    """A change waiting for a digest subscription's next digest; ``alert_id`` marks it sent in one.

    Unique per (subscription, change), so a change enters a subscriber's digests once; the digest
    alert and the marks are written in one transaction, so a change is never in two digests.
    """

    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("subscription_id", "change_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"))
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
