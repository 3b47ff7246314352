"""The account API: every route needs the account's key, another account's objects are 404, fields are
validated with the field named; on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from alerts.service import create_alerts
from core.metrics import Metrics
from policywatch.web import create_app
from storage.accounts import create_account, create_key, revoke_key
from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Change
from tests.alerts.conftest import Library

HOOK = "http://127.0.0.1:9/hook"  # allowed below; nothing is sent to it in these tests


@dataclass
class Accounts:
    client: TestClient
    factory: sessionmaker[Session]
    library: Library
    a: dict[str, str]
    b: dict[str, str]
    a_key_id: int


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _app(factory: sessionmaker[Session], **options: object) -> TestClient:
    return TestClient(create_app(factory, Metrics(), lambda: {}, allowed_networks=["127.0.0.0/8"], **options))


@pytest.fixture
def accounts(db_url: str, shared_dir: Path) -> Iterator[Accounts]:
    engine = make_engine(db_url)
    migrate(engine)
    factory = session_factory(engine)
    library = Library(factory, shared_dir)
    with transaction(factory) as session:
        key_a = create_key(session, create_account(session, "咨询A"), "ci")
        key_b = create_key(session, create_account(session, "团队B"), "ci")
    try:
        yield Accounts(_app(factory), factory, library, _auth(key_a.token), _auth(key_b.token), key_a.key.id)
    finally:
        engine.dispose()


def _create(acc: Accounts, headers: dict[str, str], **fields: object) -> dict:
    body = {"name": "广东AI", "channel": "webhook", "target": HOOK, "regions": ["广东省"]} | fields
    response = acc.client.post("/api/v1/subscriptions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_every_account_route_needs_a_key_and_hides_other_accounts_objects(accounts: Accounts) -> None:
    acc = accounts
    sub = _create(acc, acc.a)
    assert sub["webhook_secret"].startswith("whsec_") and "/feeds/subscriptions/" in sub["feed_url"]
    one = f"/api/v1/subscriptions/{sub['id']}"
    owned_routes = [
        ("get", one, None), ("patch", one, {"keywords": ["算力"]}), ("post", one + "/pause", None),
        ("post", one + "/resume", None), ("post", one + "/test", None), ("get", one + "/preview", None),
        ("delete", one, None),
    ]
    listing_routes = [("get", "/api/v1/subscriptions", None), ("get", "/api/v1/alerts", None),
                      ("get", "/api/v1/deliveries", None), ("get", "/api/v1/account", None),
                      ("post", "/api/v1/subscriptions/preview", {"name": "p", "channel": "email"}),
                      ("post", "/api/v1/subscriptions", {"name": "x", "channel": "email", "target": "a@b.cn"})]
    for method, path, body in owned_routes + listing_routes:
        kwargs = {"json": body} if body is not None else {}
        missing = acc.client.request(method, path, **kwargs)
        assert missing.status_code == 401, (method, path, missing.text)
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        bogus = acc.client.request(method, path, headers=_auth("pwk_not-a-key"), **kwargs)
        assert bogus.status_code == 401, (method, path)
    for method, path, body in owned_routes:
        kwargs = {"json": body} if body is not None else {}
        other = acc.client.request(method, path, headers=acc.b, **kwargs)
        assert other.status_code == 404, (method, path, other.text)
        assert other.json()["error"] == "not_found"
    assert acc.client.get("/api/v1/subscriptions", headers=acc.b).json() == []
    assert acc.client.get("/api/v1/account", headers=acc.b).json()["name"] == "团队B"
    # the owner's routes all answer, and a delete makes it 404 for the owner too
    for method, path, body in owned_routes:
        kwargs = {"json": body} if body is not None else {}
        assert acc.client.request(method, path, headers=acc.a, **kwargs).status_code in (200, 204), (method, path)
    assert acc.client.get(one, headers=acc.a).status_code == 404


def test_names_are_per_account_and_a_revoked_key_is_refused(accounts: Accounts) -> None:
    acc = accounts
    _create(acc, acc.a)
    _create(acc, acc.b)  # the same name in another account is fine, and reveals nothing
    taken = acc.client.post("/api/v1/subscriptions", headers=acc.a,
                            json={"name": "广东AI", "channel": "email", "target": "a@b.cn"})
    assert taken.status_code == 409
    with transaction(acc.factory) as session:
        revoke_key(session, acc.a_key_id)
    assert acc.client.get("/api/v1/subscriptions", headers=acc.a).status_code == 401


@pytest.mark.parametrize(("fields", "field", "says"), [
    ({"regions": ["火星"]}, "regions", "火星"),
    ({"channel": "file", "target": "/etc/passwd"}, "channel", "unknown channel"),
    ({"target": "http://169.254.169.254/latest/meta-data"}, "target", "metadata"),
    ({"target": "http://10.0.0.1/hook"}, "target", "private"),
    ({"min_significance": "huge"}, "min_significance", "unknown significance"),
    ({"admin_levels": ["county"]}, "admin_levels", "unknown admin level"),
    ({"min_ai_score": 2}, "min_ai_score", "less than or equal to 1"),
    ({"colour": "red"}, "colour", "Extra inputs"),
])
def test_invalid_fields_are_a_422_naming_the_field(
    accounts: Accounts, fields: dict, field: str, says: str
) -> None:
    body = {"name": "bad", "channel": "webhook", "target": HOOK} | fields
    response = accounts.client.post("/api/v1/subscriptions", json=body, headers=accounts.a)
    assert response.status_code == 422, response.text
    details = response.json()["details"]
    assert any(field in d["loc"] and says in d["msg"] for d in details), details


def test_patch_is_validated_like_a_new_subscription_and_pause_stops_matching(accounts: Accounts) -> None:
    acc = accounts
    sub = _create(acc, acc.a)
    path = f"/api/v1/subscriptions/{sub['id']}"
    refused = acc.client.patch(path, json={"target": "http://[::1]:6379/"}, headers=acc.a)
    assert refused.status_code == 422 and "loopback" in refused.json()["details"][0]["msg"]
    changed = acc.client.patch(path, json={"keywords": ["算力"], "keyword_mode": "substring"}, headers=acc.a).json()
    assert (changed["keywords"], changed["keyword_mode"], changed["regions"]) == (["算力"], "substring", ["广东省"])
    assert "webhook_secret" not in changed
    assert acc.client.post(path + "/pause", headers=acc.a).json()["active"] is False
    change = acc.library.publish("shenzhen")
    with transaction(acc.factory) as session:
        assert create_alerts(session, session.get(Change, change.id), "http://pw") == []
    assert acc.client.post(path + "/resume", headers=acc.a).json()["active"] is True


def test_preview_counts_the_stored_documents_the_filters_would_have_matched(accounts: Accounts) -> None:
    acc = accounts
    for name in ("shenzhen", "nansha", "shenyang"):
        acc.library.publish(name)
    body = {"name": "p", "channel": "email", "regions": ["广东省"]}
    preview = acc.client.post("/api/v1/subscriptions/preview", json=body, headers=acc.a).json()
    assert (preview["matched"], preview["scanned"]) == (2, 3)
    assert {s["title"][:2] for s in preview["sample"]} == {"深圳", "广州"}
    assert all("地区 region: 广东省" in s["reasons"] for s in preview["sample"])
    sub = _create(acc, acc.a, regions=["辽宁省"])
    assert acc.client.get(f"/api/v1/subscriptions/{sub['id']}/preview", headers=acc.a).json()["matched"] == 1


def test_alerts_and_deliveries_lists_show_only_the_accounts_own(accounts: Accounts) -> None:
    acc = accounts
    _create(acc, acc.a)  # 广东省
    _create(acc, acc.b, name="all", regions=[])
    change = acc.library.publish("shenyang")
    with transaction(acc.factory) as session:
        create_alerts(session, session.get(Change, change.id), "http://pw")
    assert acc.client.get("/api/v1/alerts", headers=acc.a).json() == []
    (alert,) = acc.client.get("/api/v1/alerts", headers=acc.b).json()
    assert alert["kind"] == "new" and "沈阳" in alert["subject"]
    (delivery,) = acc.client.get("/api/v1/deliveries", headers=acc.b).json()
    assert (delivery["status"], delivery["alert_id"]) == ("pending", alert["id"])
    assert acc.client.get("/api/v1/deliveries", headers=acc.a).json() == []
    assert acc.client.get("/api/v1/deliveries", params={"status": "failed"}, headers=acc.b).json() == []


def test_archive_needs_a_key_only_when_the_setting_says_so(accounts: Accounts) -> None:
    acc = accounts
    assert acc.client.get("/api/v1/documents").status_code == 200
    closed = _app(acc.factory, archive_requires_key=True)
    assert closed.get("/api/v1/documents").status_code == 401
    assert closed.get("/api/v1/documents", headers=_auth("pwk_wrong")).status_code == 401
    assert closed.get("/api/v1/documents", headers=acc.a).status_code == 200
    assert closed.get("/search").status_code == 401
    assert closed.get("/api/v1/openapi.json").status_code == 200
    assert closed.get("/healthz").status_code in (200, 503)
