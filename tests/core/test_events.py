"""Every event type round-trips through the envelope; malformed events are refused clearly."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.events import (
    PAYLOAD_TYPES,
    TOPICS,
    CrawlRequested,
    DeadLetter,
    DocumentChanged,
    DocumentGone,
    DocumentUnderstood,
    EventError,
    ListEntry,
    PageFetched,
    PageGone,
    Payload,
    SourceCrawled,
    SourceInventory,
    content_hash,
    decode,
    document_key,
    encode,
)

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
URL = "http://www.sz.gov.cn/zfgb/2019/gb1101/content/post_123.html"

SAMPLES: list[Payload] = [
    PageFetched(source_id="sz", url=URL, final_url=URL, status=200, fetched_at=NOW, encoding="utf-8",
                html="<html>深圳</html>", body_sha256="0" * 64, list_entry=ListEntry(title="深圳", date="2019-05-14")),
    PageGone(source_id="sz", url=URL, status=404, reason="Not Found", observed_at=NOW),
    SourceCrawled(source_id="sz", crawl_id="c1", finished_at=NOW, complete=True, seen_urls=[URL]),
    DocumentUnderstood(source_id="sz", url=URL, fetched_at=NOW, content_hash="h", title="深圳", text="正文",
                       analysis={"doc_number": "深府〔2019〕16号"}),
    DocumentGone(source_id="sz", url=URL, reason="HTTP 404", observed_at=NOW),
    SourceInventory(source_id="sz", crawl_id="c1", finished_at=NOW, complete=True, seen_urls=[URL]),
    DocumentChanged(change_id=1, document_id=1, version_id=1, url=URL, kind="new", detected_at=NOW),
    DeadLetter(stage="classify", topic="t", partition=0, offset=3, key=None, error="boom", raw="{}"),
    CrawlRequested(source_id="sz", requested_at=NOW),
]


def test_every_event_type_has_a_round_trip_sample() -> None:
    assert {type(s) for s in SAMPLES} == set(PAYLOAD_TYPES.values())
    assert {s.TOPIC for s in SAMPLES} <= set(TOPICS)


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: type(p).__name__)
def test_event_round_trips_through_envelope(payload: Payload) -> None:
    key, value = encode(payload, "test")
    envelope, decoded = decode(value)
    assert decoded == payload
    assert envelope.type == payload.EVENT_TYPE
    assert envelope.schemaversion == 1
    assert key.decode() == envelope.subject == payload.subject()


def test_events_about_one_document_share_a_key() -> None:
    page = SAMPLES[0]
    understood = SAMPLES[3]
    changed = SAMPLES[6]
    assert page.subject() == understood.subject() == changed.subject() == document_key(URL)
    assert document_key("https://" + URL.removeprefix("http://") + "#top") == document_key(URL)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not a policywatch event envelope"),
        (json.dumps({"type": "x"}).encode(), "not a policywatch event envelope"),
        (None, "empty message"),
    ],
)
def test_malformed_message_is_an_event_error(raw: bytes | None, message: str) -> None:
    with pytest.raises(EventError, match=message):
        decode(raw)


def _envelope_with(**changes: object) -> bytes:
    _, value = encode(SAMPLES[1], "test")
    data = json.loads(value)
    data.update(changes)
    return json.dumps(data).encode()


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(EventError, match="unknown event type"):
        decode(_envelope_with(type="policywatch.nonsense"))


def test_newer_schema_version_is_refused_not_misread() -> None:
    with pytest.raises(EventError, match="schema version 2 is not supported"):
        decode(_envelope_with(schemaversion=2))


def test_payload_missing_a_field_is_refused() -> None:
    _, value = encode(SAMPLES[1], "test")
    data = json.loads(value)
    del data["data"]["url"]
    with pytest.raises(EventError, match=r"invalid policywatch\.page\.gone payload"):
        decode(json.dumps(data).encode())


def test_whitespace_does_not_change_the_content_hash() -> None:
    assert content_hash("一、总体要求\n  (一)指导思想。") == content_hash("一、总体要求 (一)指导思想。 ")
    assert content_hash("产业规模超过300亿元") != content_hash("产业规模超过500亿元")
