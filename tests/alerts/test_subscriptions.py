"""Subscription files: validation errors that name the entry and key, and the upsert into the DB."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import CHANNELS
from alerts.subscriptions import (
    SubscriptionError,
    SubscriptionSpec,
    load_demo_subscriptions,
    load_subscriptions_file,
    parse_subscriptions,
    sync_subscriptions,
)
from storage.db import transaction
from storage.models import Subscription

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "subscriptions.example.toml"


def test_demo_subscribers_cover_region_keyword_revision_and_archive_needs() -> None:
    demo = {spec.name: spec for spec in load_demo_subscriptions()}
    assert demo["gd-consultancy"].regions == ["广东省"]
    assert demo["sh-consultancy"].regions == ["上海市"]
    assert demo["icv-analyst"].keywords == ["智能网联汽车"]
    assert demo["revision-watcher"].change_kinds == ["revised"]
    assert demo["archivist"].ai_only is False
    assert all(spec.channel in CHANNELS for spec in demo.values())


def test_example_file_uses_only_registered_channels() -> None:
    specs = load_subscriptions_file(EXAMPLE)
    assert {spec.channel for spec in specs} == {"email", "webhook", "apprise", "file"}


@pytest.mark.parametrize(("entry", "message"), [
    ('name = "gd"\nchannel = "email"\nregions = ["广东"]\n[[subscription]]\nname = "x"\nchannel = "email"\n'
     'regions = ["火星省"]', "subscription #2 ('x'): key 'regions'"),
    ('name = "gd"\nchannel = "email"\nchange_kinds = ["updated"]', "subscription #1 ('gd'): key 'change_kinds'"),
    ('name = "gd"\nchannel = "email"\nkeyword = ["机器人"]', "key 'keyword': Extra inputs are not permitted"),
    ('name = "gd"\nchannel = "pager"', "key 'channel': unknown channel 'pager'"),
    ('channel = "email"', "subscription #1: key 'name': Field required"),
    ('name = "gd"\nchannel = "email"\n[[subscription]]\nname = "gd"\nchannel = "file"', "duplicate name 'gd'"),
])
def test_invalid_entries_are_rejected_naming_the_entry_and_key(entry: str, message: str) -> None:
    data = tomllib.loads("[[subscription]]\n" + entry)
    with pytest.raises(SubscriptionError) as caught:
        parse_subscriptions(data, "subs.toml", known_channels=CHANNELS)
    assert str(caught.value).startswith("subs.toml: ")
    assert message in str(caught.value)


def test_missing_and_malformed_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(SubscriptionError, match="does not exist"):
        load_subscriptions_file(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[subscription]\nname=", encoding="utf-8")
    with pytest.raises(SubscriptionError, match="not valid TOML"):
        load_subscriptions_file(broken)


def test_sync_upserts_by_name_keeps_ids_and_deactivates_missing_entries(
    factory: sessionmaker[Session],
) -> None:
    first = [SubscriptionSpec(name="gd", channel="email", target="a@x.cn", regions=["广东省"]),
             SubscriptionSpec(name="old", channel="file")]
    with transaction(factory) as session:
        ids = {row.name: row.id for row in sync_subscriptions(session, first)}
    changed = [SubscriptionSpec(name="gd", channel="webhook", target="http://h/x", keywords=["机器人"])]
    with transaction(factory) as session:
        sync_subscriptions(session, changed, deactivate_missing=True)
    with transaction(factory) as session:
        rows = {row.name: row for row in session.scalars(select(Subscription))}
    assert rows["gd"].id == ids["gd"]
    assert (rows["gd"].channel, rows["gd"].target, rows["gd"].regions, rows["gd"].keywords) == (
        "webhook", "http://h/x", [], ["机器人"])
    assert rows["old"].active is False


def test_sync_does_not_commit(factory: sessionmaker[Session]) -> None:
    session = factory()
    try:
        sync_subscriptions(session, load_demo_subscriptions())
        session.rollback()
    finally:
        session.close()
    with transaction(factory) as check:
        assert check.scalars(select(Subscription)).all() == []
