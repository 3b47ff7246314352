"""The archive's pages: every page sends a Content-Security-Policy, hostile content is shown as text,
relations show on both documents' pages, and the API contract holds for generated requests."""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.archive_fixtures import HOSTILE_URL

from .conftest import ArchiveApp

PAGES = ("/", "/search?q=人工智能", "/documents/{shenzhen}", "/documents/{liuzhou}/lineage",
         "/documents/{national}/citations", "/regions/440115", "/targets?metric=人工智能核心产业规模",
         "/compare?old={shenzhen}&new={liuzhou}", "/documents/{shenzhen}/diff", "/documents/{hostile}",
         "/search?q=通知", "/documents/999999")


def test_every_page_is_light_and_sends_a_content_security_policy(sqlite_app: ArchiveApp) -> None:
    for template in PAGES:
        response = sqlite_app.client.get(template.format(**sqlite_app.ids))
        assert response.status_code in (200, 404), template
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp or "default-src 'none'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[-1].split(";")[0]
        assert len(response.content) < 100_000, template
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", response.text), template


def test_hostile_titles_bodies_and_urls_are_shown_as_text(sqlite_app: ArchiveApp) -> None:
    c, ids = sqlite_app.client, sqlite_app.ids
    version = c.get(f"/api/v1/documents/{ids['hostile']}").json()["latest_version_id"]
    for url in (f"/documents/{ids['hostile']}", "/search?q=通知", "/search?q=人工智能 补贴",
                f"/documents/{ids['hostile']}/versions/{version}"):
        page = c.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page and 'onmouseover="' not in page, url
        assert 'href="javascript:' not in page, url
    document = c.get(f"/documents/{ids['hostile']}").text
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in document
    assert f"<span>{HOSTILE_URL}</span>" in document  # the URL, as text only


def test_borrowing_shows_on_both_documents_pages(sqlite_app: ArchiveApp) -> None:
    c, ids = sqlite_app.client, sqlite_app.ids
    liuzhou, shenzhen = c.get(f"/documents/{ids['liuzhou']}").text, c.get(f"/documents/{ids['shenzhen']}").text
    assert re.search(rf'沿用 Borrows \d+% of its text from ← <a href="/documents/{ids["shenzhen"]}">', liuzhou)
    assert f'被沿用 Borrowed by → <a href="/documents/{ids["liuzhou"]}">' in shenzhen
    assert "柳州" in c.get(f"/documents/{ids['shenzhen']}/lineage").text


def test_api_answers_every_generated_request_as_its_schema_says(sqlite_app: ArchiveApp) -> None:
    """schemathesis against the served OpenAPI document: no 5xx, every response matches its schema."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", sqlite_app.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    checked = [op for op in operations if op.path.startswith("/api/v1/")]
    assert len(checked) >= 15
    for operation in checked:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            # A well-formed name the gazetteer does not know (region=火星) is a documented 400, not a defect.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        call()
