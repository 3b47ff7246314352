"""Quoted phrases find what is printed, ranking orders hits of a common term, and no query text breaks
the database: on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.errors import SearchError
from storage import search as search_module
from storage import search_facets as facets_module
from storage.search import SearchQuery, count, search

from .conftest import Archive

SEEDS = {"nansha", "shenyang", "liuzhou", "minhang", "shenzhen"}


def _found(archive: Archive, text: str, **filters: object) -> set[str]:
    names = {doc_id: name for name, doc_id in archive.ids.items()}
    query = SearchQuery(text, limit=50, **filters)  # type: ignore[arg-type]
    with archive.factory() as session:
        hits = search(session, query)
        assert count(session, query) == len(hits)
    return {names[hit.id] for hit in hits}


def test_phrase_starting_inside_a_compound_is_found_in_every_seed(archive: Archive) -> None:
    # 智能产业 is printed in all five seeds, mostly inside 人工智能产业 (one jieba word).
    assert _found(archive, '"智能产业"') >= SEEDS
    assert _found(archive, "“智能产业”") == _found(archive, '"智能产业"')


def test_fragment_that_is_no_dictionary_word_is_found_quoted_or_not(archive: Archive) -> None:
    # 政办 occurs only inside 文号 such as 沈政办发 and 杭政办函.
    assert _found(archive, '"政办"') == {"shenyang", "hangzhou"}
    assert _found(archive, "政办") == {"shenyang", "hangzhou"}
    assert _found(archive, '"沈政办发"') == {"shenyang"}


def test_phrase_across_a_line_wrap_and_in_traditional_script(archive: Archive) -> None:
    assert _found(archive, '"具身智能产业"') == {"hangzhou"}  # printed 具\n身智能产业
    assert _found(archive, '"給予財政補貼"') == {"hangzhou"}  # Traditional query, Simplified text


def test_two_character_phrase_matches_inside_words(archive: Archive) -> None:
    assert _found(archive, '"补贴"') == {"minhang", "hangzhou"}
    assert _found(archive, '"孪生"', all_versions=True) == {"suzhou"}


def test_punctuation_inside_quotes_is_a_boundary(archive: Archive) -> None:
    archive.store("comma", "某市关于数据的通知\n发展人工智能、大数据产业。\n")
    archive.store("joined", "某市关于平台的通知\n发展人工智能大数据产业。\n")
    assert _found(archive, '"人工智能，大数据"') == {"comma"}
    assert _found(archive, '"人工智能大数据"') == {"joined"}


def test_unquoted_words_do_not_match_across_word_boundaries(archive: Archive) -> None:
    archive.store("platform", "某市关于平台的通知\n推动人工智能和平台经济融合发展。\n")
    assert "platform" not in _found(archive, "和平")
    assert "platform" in _found(archive, '"和平"')


def test_title_hit_ranks_above_body_only_hits_and_scores_differ(archive: Archive) -> None:
    # Two short notices that say 人工智能 often, but not in their titles, against the five seed plans.
    archive.store("notice", "某市关于开展产业调研的通知\n调研人工智能企业、人工智能平台和人工智能人才。\n")
    archive.store("report", "某区工作报告\n人工智能。人工智能。人工智能。人工智能。\n")
    names = {doc_id: name for name, doc_id in archive.ids.items()}
    with archive.factory() as session:
        hits = search(session, SearchQuery("人工智能", limit=50))
    assert {"notice", "report"} <= {names[hit.id] for hit in hits}
    in_title = ["人工智能" in hit.title for hit in hits]
    assert in_title == sorted(in_title, reverse=True), [(names[h.id], h.title) for h in hits]
    assert hits[0].score == 1.0
    assert len({hit.score for hit in hits}) > len(hits) // 2


def test_denser_mention_ranks_higher(archive: Archive) -> None:
    archive.store("dense", "关于促进产业发展的通知\n支持人工智能。人工智能企业。人工智能人才。\n")
    archive.store("sparse", "关于促进产业发展的通知\n支持人工智能。" + "推动企业发展。" * 30 + "\n")
    with archive.factory() as session:
        hits = search(session, SearchQuery("人工智能", issuer="", limit=50))
    order = [hit.id for hit in hits]
    assert order.index(archive.ids["dense"]) < order.index(archive.ids["sparse"])


@pytest.mark.parametrize("text", [
    '"', '""', "'", "*", "人工智能*", "NEAR(人工 智能)", "人工智能 AND OR NOT", "{title}: 补贴", "title:补贴",
    "补贴)", "(补贴", "^补贴", "-补贴", "补贴; DROP TABLE documents; --", "'; SELECT 1; --", "%_\\",
    "人工智能 | 补贴 & !算力", "<->", "a:*", "补贴\x00", "“未闭合的引号", "「补贴」",
])
def test_no_metacharacter_breaks_a_query(archive: Archive, text: str) -> None:
    with archive.factory() as session:
        try:
            hits = search(session, SearchQuery(text))
            total = count(session, SearchQuery(text))
        except SearchError as exc:
            assert "nothing to search" in str(exc)
        else:
            assert total == len(hits)


def test_query_too_long_is_a_search_error(archive: Archive) -> None:
    with archive.factory() as session, pytest.raises(SearchError, match="too long"):
        search(session, SearchQuery("补贴" * 400))


def test_matches_beyond_the_window_rank_title_hits_first_then_newest(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive.store("body-only", "某市关于开展产业调研的通知\n调研人工智能企业。\n")
    monkeypatch.setattr(search_module, "RANK_WINDOW", 3)  # 人工智能 has 6 matches: more than the window
    with archive.factory() as session:
        assert not search_module.window(session, SearchQuery("人工智能")).complete
        hits = search(session, SearchQuery("人工智能", limit=3))
    # The 3 most recently stored matches: 闵行 and 深圳 (title hits), then the body-only notice.
    assert {hit.id for hit in hits} == {archive.ids[name] for name in ("minhang", "shenzhen", "body-only")}
    assert hits[-1].id == archive.ids["body-only"]
    assert hits[0].score == 1.0 > hits[-1].score


def test_facets_of_many_matches_are_estimated_from_a_sample(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "RANK_WINDOW", 2)
    monkeypatch.setattr(facets_module, "SAMPLE_SIZE", 2)
    with archive.factory() as session:
        found = {facet.name: facet for facet in facets_module.facets(session, SearchQuery('"智能产业"'))}
    assert all(facet.approximate for facet in found.values())
    assert found["ai_label"].values and found["ai_label"].to_dict()["approximate"] is True


def test_word_inside_a_longer_dictionary_word_is_found(archive: Archive) -> None:
    archive.store("plan", "某市关于印发规划的通知\n发展新一代人工智能。\n")
    assert "plan" in _found(archive, "人工智能")
