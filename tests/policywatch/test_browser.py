"""The archive in a real headless Chromium (Debian's, driven by Playwright; never a downloaded browser), on
an archive built by the real pipeline from the simulated sites: search → facet → document → diff →
lineage → replay; hostile content stays text and runs nothing. Screenshots go to the artifacts folder
(POLICYWATCH_TEST_ARTIFACTS, default build/test-artifacts/browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.captures import CaptureConfig
from core.metrics import Metrics
from core.settings import load_settings
from policywatch.demo import DemoScenario
from policywatch.web import WebServer, create_app
from tests.archive_fixtures import HOSTILE_TEXT, HOSTILE_TITLE

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("POLICYWATCH_TEST_ARTIFACTS", "build/test-artifacts")) / "browser"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One pipeline run: the seeds, the demo's revision and new plan, and a hostile page; then the web app."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium; .ci/run installs it in CI)")
    scenario = DemoScenario(load_settings(None), tmp_path_factory.mktemp("browser") / "var")
    with scenario.running():
        scenario.crawl_all()
        scenario.revise_and_publish()
        scenario.sites.publish("minhang", "9901", HOSTILE_TITLE, HOSTILE_TEXT, "2025-01-02")
        scenario.crawl_all()
        pipeline = scenario.pipeline
        assert pipeline is not None
        app = create_app(pipeline.factory, Metrics(), lambda: {}, captures=CaptureConfig.from_settings(scenario.settings))
        server = WebServer(app, "127.0.0.1", 0).start()
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser(served: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_search_facet_document_diff_lineage_replay(served: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{served}/search?q=人工智能")
    assert page.locator(".hit").count() >= 5
    _shot(page, "1-search")
    page.locator("a[data-facet=region]", has_text="广东").first.click()
    assert "region=" in page.url and page.locator(".hit").count() >= 2
    _shot(page, "2-facet")
    page.locator(".hit h3 a", has_text="深圳").first.click()
    assert page.locator("h1").inner_text().startswith("深圳市新一代人工智能发展行动计划")
    assert page.get_by_text("被沿用 Borrowed by").count() == 1 and page.get_by_text("柳州").count() >= 1
    _shot(page, "3-document")
    page.get_by_text("与上一版对比 Diff with previous").first.click()
    assert page.locator("ins").count() >= 1 and "500亿元" in page.content()
    _shot(page, "4-diff")
    page.go_back()
    page.get_by_text("文本沿用 Lineage").first.click()
    assert "柳州" in page.locator("main").inner_text()
    _shot(page, "5-lineage")
    page.locator("main a", has_text="柳州").first.click()
    assert page.get_by_text("沿用 Borrows").count() == 1 and "深圳" in page.locator("main").inner_text()
    page.get_by_text("原始页面 Captured page").first.click()
    frame = page.locator("iframe.replay")
    assert frame.get_attribute("sandbox") == ""
    assert "柳州" in page.frame_locator("iframe.replay").locator("body").inner_text()
    _shot(page, "6-replay")
    assert dialogs == []


def test_hostile_page_is_shown_as_text_and_runs_nothing(served: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(f"{served}/search?q=通知")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".hit h3 a", has_text="<script>").first.click()
    assert "<script>" in page.locator("h1").inner_text()
    assert page.locator("main script, main img[src=x], main [onmouseover]").count() == 0
    page.get_by_text("全文 Full text").first.click()
    assert 'href="javascript:alert(2)"' in page.locator("article").inner_text()
    page.go_back()
    page.get_by_text("原始页面 Captured page").first.click()
    page.frame_locator("iframe.replay").locator("body").inner_text()
    _shot(page, "7-hostile")
    assert dialogs == []
