"""Atom feeds (RFC 4287): one per subscription, behind a secret URL, and a public one per region.

- ``/feeds/subscriptions/{token}.atom`` — the subscription's alerts, newest first. The token is the
  subscription's own secret (``feed_url`` in the API), so feed readers that cannot send a key still work;
  an unknown token is a 404, like another account's subscription.
- ``/feeds/regions/{region}.atom`` — what the archive saw happen (new, revised, removed documents) in a
  region and everything inside it (广东省 includes 深圳市 and 广州市南沙区); a name or a 6-digit code.
  Closed like the rest of the archive when ``web.archive_requires_key`` is on.

Built with ``xml.etree`` (no feed library in the lock); every entry has a stable ``tag:`` id, so a
reader never shows an item twice.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from alerts.render import KIND_LABELS
from core.errors import NotFound, UnknownRegion
from policywatch.web.context import Context
from storage.models import Alert, Change, Document, Subscription
from zhtext.regions import document_region, region_within, resolve_region

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50
# Recent changes looked at for a region feed (the region filter runs on the region hierarchy in Python).
REGION_SCAN = 2000
TAG = "tag:policywatch,2026:"

router = APIRouter(prefix="/feeds", tags=["feeds"])
Token = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
RegionName = Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[^\x00/]+$")]


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str
    summary: str


def _iso(moment: datetime) -> str:
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def atom(feed_id: str, title: str, self_url: str, alternate: str, entries: Iterable[Entry],
         updated: datetime) -> bytes:
    """An Atom document: feed id, title, updated, self and alternate links, author, entries."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "zh-CN"})
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=alternate)
    sub(sub(feed, "author"), "name", "policywatch")
    sub(feed, "generator", "policywatch")
    for item in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", item.id)
        sub(entry, "title", item.title)
        sub(entry, "updated", _iso(item.updated))
        sub(entry, "link", rel="alternate", type="text/html", href=item.link)
        sub(entry, "summary", item.summary, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def _document_link(base: str, document_id: int, version_id: int | None) -> str:
    return f"{base}/documents/{document_id}" + (f"/versions/{version_id}" if version_id else "")


@router.get("/subscriptions/{token}.atom", response_class=Response, responses={200: {"content": {ATOM_TYPE: {}}}})
def subscription_feed(context: Context, token: Token, request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    with context.factory() as session:
        sub = session.scalar(select(Subscription).where(Subscription.feed_token == token))
        if sub is None:
            raise NotFound("no such feed")
        alerts = session.scalars(select(Alert).where(Alert.subscription_id == sub.id)
                                 .order_by(Alert.id.desc()).limit(ENTRIES)).all()
        entries = [
            Entry(f"{TAG}alert/{alert.id}", alert.subject, alert.created_at,
                  str((alert.payload or {}).get("links", {}).get("version") or base), alert.body)
            for alert in alerts
        ]
        updated = alerts[0].created_at if alerts else sub.created_at
        body = atom(f"{TAG}subscription/{sub.id}", f"policywatch 订阅 {sub.name}", str(request.url), base,
                    entries, updated)
    return Response(body, media_type=ATOM_TYPE)


@router.get("/regions/{region}.atom", response_class=Response, responses={200: {"content": {ATOM_TYPE: {}}}})
def region_feed(context: Context, region: RegionName, request: Request) -> Response:
    try:
        wanted = resolve_region(region)
    except UnknownRegion as exc:
        raise NotFound(str(exc)) from exc
    base = str(request.base_url).rstrip("/")
    entries: list[Entry] = []
    with context.factory() as session:
        rows = session.execute(select(Change, Document).join(Document, Document.id == Change.document_id)
                               .order_by(Change.id.desc()).limit(REGION_SCAN))
        for change, document in rows:
            place = document_region(document)
            if place is None or not region_within(wanted, place):
                continue
            label = KIND_LABELS.get(change.kind, change.kind)
            headline = str((change.summary or {}).get("headline") or "")
            facts = " · ".join(part for part in (document.doc_number, "、".join(document.issuers or [])) if part)
            entries.append(Entry(
                f"{TAG}change/{change.id}", f"【{label}】{document.title}", change.detected_at,
                _document_link(base, document.id, change.version_id), "\n".join(p for p in (headline, facts) if p),
            ))
            if len(entries) >= ENTRIES:
                break
    updated = entries[0].updated if entries else datetime(2000, 1, 1, tzinfo=UTC)
    body = atom(f"{TAG}region/{wanted.code}", f"policywatch {wanted.name} 政策动态", str(request.url),
                f"{base}/regions/{wanted.code}", entries, updated)
    return Response(body, media_type=ATOM_TYPE)
