"""The signals of source health: challenge pages are recognised and policy texts are not; a crawl's
summary gives the right problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.health import CAPTCHA, EMPTY_LIST, LAYOUT_CHANGED, block_sign, source_problems
from crawlers.simulator.sites import CAPTCHA_PAGE


def test_the_simulated_waf_page_is_a_challenge_page() -> None:
    assert block_sign(CAPTCHA_PAGE) is not None


def test_no_seed_plan_reads_as_a_challenge_page(shared_dir: Path) -> None:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert seeds
    assert [block_sign(path.read_text(encoding="utf-8")) for path in seeds] == [None] * len(seeds)


@pytest.mark.parametrize(
    ("stats", "had_items", "problems"),
    [
        ({"list_pages": 1, "list_links": 5}, True, []),
        ({"list_pages": 1, "list_links": 0, "title_anchors": 0}, True, [EMPTY_LIST]),
        ({"list_pages": 1, "list_links": 0, "title_anchors": 0}, False, []),  # never had any: not news
        ({"list_pages": 1, "list_links": 0, "title_anchors": 4}, False, [LAYOUT_CHANGED]),
        ({"list_pages": 0, "list_links": 0, "blocked": 2}, True, [CAPTCHA]),
        ({"list_pages": 0, "list_links": 0}, True, []),  # the list did not answer: an ordinary failure
    ],
)
def test_a_crawl_summary_gives_its_problems(stats: dict, had_items: bool, problems: list[str]) -> None:
    assert source_problems(stats, had_items) == problems


def test_no_real_government_page_reads_as_a_challenge_page(shared_dir: Path) -> None:
    pages = sorted((shared_dir / "realpages").glob("*.htm*"))
    assert pages
    found = {path.name: block_sign(path.read_bytes().decode("utf-8", errors="replace")) for path in pages}
    assert {name: sign for name, sign in found.items() if sign} == {}
