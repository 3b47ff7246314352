"""No parameter value of any route answers 500: every integer is bounded at the edge (a clear 422), on
SQLite and on PostgreSQL; deliveries are listed and re-sent over the API, never a sent one twice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.metrics import Metrics
from policywatch.web import create_app
from storage.accounts import OPERATOR_ACCOUNT, create_key, ensure_account
from storage.db import make_engine, migrate, session_factory, transaction

HUGE = [str(2**63), str(2**63 + 1), str(2**64), "-1", "-9223372036854775809", "0", "1e3", "", "abc", "9" * 40]
INTEGER_QUERIES = [
    ("/api/documents", "limit"), ("/api/documents", "offset"),
    ("/api/search", "limit"), ("/api/search", "offset"),
    ("/api/deliveries", "limit"), ("/api/deliveries", "offset"),
]
PATHS = ["/api/documents/{}/versions", "/documents/{}/versions/1", "/documents/1/versions/{}"]
TEXTS = ["\x00", "a\x00b", "%", "_", "'; DROP TABLE documents; --", "\"", "*", "NEAR(", "é" * 3000]


@pytest.fixture
def client(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    migrate(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:  # /api/deliveries spans every account: the operator's key
        key = create_key(session, ensure_account(session, OPERATOR_ACCOUNT), "tests").token
    yield TestClient(create_app(factory, Metrics(), lambda: {}), headers={"Authorization": f"Bearer {key}"})
    engine.dispose()


def test_no_integer_parameter_value_answers_500(client: TestClient) -> None:
    for route, name in INTEGER_QUERIES:
        for value in HUGE:
            response = client.get(route, params={name: value})
            expected = 200 if (value == "0" and name == "offset") else 422
            assert response.status_code == expected, (route, name, value, response.text[:200])
        assert client.get(route, params={name: "100000" if name == "offset" else "1"}).status_code == 200
    for template in PATHS:
        for value in [*HUGE, str(2**31), str(2**31 - 1)]:
            status = client.get(template.format(value)).status_code
            assert status in (404, 422), (template, value, status)  # 404: a valid id nobody has, or no route
            assert (status == 422) == (value not in ("", str(2**31 - 1))), (template, value, status)


def test_no_text_parameter_value_answers_500(client: TestClient) -> None:
    for text in TEXTS:
        for name in ("q", "region", "issuer", "doc_number", "type"):
            response = client.get("/api/search", params={name: text})
            assert response.status_code in (200, 400, 422), (name, text[:10], response.text[:200])
    assert client.get("/api/search", params={"from": "99999-01-01"}).status_code == 422
    assert client.get("/api/deliveries", params={"status": "lost"}).status_code == 422


def test_delivery_retry_api_validates_its_body(client: TestClient) -> None:
    assert client.post("/api/deliveries/retry", json={}).status_code == 422
    assert client.post("/api/deliveries/retry", json={"ids": [1], "failed": True}).status_code == 422
    assert client.post("/api/deliveries/retry", json={"ids": [2**63]}).status_code == 422
    assert client.post("/api/deliveries/retry", json={"ids": [-1]}).status_code == 422
    assert client.post("/api/deliveries/retry", json={"ids": [7]}).json()["unknown"] == [7]
    assert client.post("/api/deliveries/retry", json={"failed": True}).json()["requeued"] == []


def test_operator_deliveries_need_the_operator_accounts_key(client: TestClient) -> None:
    with transaction(client.app.state.context.factory) as session:  # type: ignore[attr-defined]
        other = create_key(session, ensure_account(session, "consultancy"), "k").token
    for method, path, body in (("GET", "/api/deliveries", None), ("POST", "/api/deliveries/retry", {"failed": True})):
        assert client.request(method, path, json=body, headers={"Authorization": ""}).status_code == 401
        assert client.request(method, path, json=body, headers={"Authorization": f"Bearer {other}"}).status_code == 403
        assert client.request(method, path, json=body).status_code == 200
