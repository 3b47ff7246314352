"""Archivists find documents by words, region, issuer, 文号, dates, validity and status — on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import SearchError
from storage.documents import version_history
from storage.search import SearchQuery, count, search

from .conftest import Archive


def _found(archive: Archive, query: SearchQuery) -> set[str]:
    names = {doc_id: name for name, doc_id in archive.ids.items()}
    with archive.factory() as session:
        hits = search(session, query)
        assert count(session, query) == len(hits)
    return {names[hit.id] for hit in hits}


def test_two_character_term_is_found_alone_and_inside_a_compound(archive: Archive) -> None:
    # 闵行 prints 给予补贴; 杭州 only 财政补贴 (one jieba word, indexed with its sub-words).
    assert _found(archive, SearchQuery("补贴")) == {"minhang", "hangzhou"}
    assert _found(archive, SearchQuery("補貼")) == {"minhang", "hangzhou"}  # Traditional script query


def test_term_wrapped_across_a_line_break_is_found(archive: Archive) -> None:
    assert _found(archive, SearchQuery("具身智能")) == {"hangzhou"}


def test_hits_carry_metadata_score_and_highlighted_snippet(archive: Archive) -> None:
    with archive.factory() as session:
        hits = search(session, SearchQuery("补贴 人工智能"))
    assert [h.id for h in hits] == [archive.ids["minhang"]]
    hit = hits[0]
    assert hit.doc_number == "闵府规发〔2018〕4号"
    assert hit.issuers == ["闵行区人民政府"]
    assert hit.region["district"] == "闵行区" and hit.region["code"] == "310112"
    assert hit.effective_date == date(2018, 10, 1) and hit.status == "active"
    assert hit.score > 0
    assert "<mark>补贴</mark>" in hit.snippet


def test_more_occurrences_rank_higher(archive: Archive, seed_texts: dict[str, str]) -> None:
    archive.store("sparse", "某市关于印发算力发展措施的通知\n对企业给予补贴。\n")
    with archive.factory() as session:
        ranked = [h.id for h in search(session, SearchQuery("补贴", region="上海市"))]
        everywhere = [h.id for h in search(session, SearchQuery("补贴"))]
    assert ranked == [archive.ids["minhang"]]
    assert everywhere[0] == archive.ids["minhang"]  # 9 occurrences beat one


def test_province_includes_its_cities_and_districts(archive: Archive) -> None:
    assert _found(archive, SearchQuery("人工智能", region="广东省")) == {"shenzhen", "nansha"}
    assert _found(archive, SearchQuery(region="广东")) == {"shenzhen", "nansha"}
    assert _found(archive, SearchQuery(region="广州市")) == {"nansha"}
    assert _found(archive, SearchQuery(region="南沙区")) == {"nansha"}
    assert "shenyang" in _found(archive, SearchQuery(region="辽宁省"))


def test_unknown_region_is_an_error_not_an_empty_result(archive: Archive) -> None:
    with archive.factory() as session, pytest.raises(SearchError, match="region"):
        search(session, SearchQuery("人工智能", region="不存在省"))


@pytest.mark.parametrize("number", ["沈政办发〔2018〕144号", "沈政办发[2018]144号", "沈政办发（2018）144 号"])
def test_doc_number_matches_whatever_the_brackets(archive: Archive, number: str) -> None:
    assert _found(archive, SearchQuery(doc_number=number)) == {"shenyang"}


def test_doc_number_fragment_matches_as_substring(archive: Archive) -> None:
    assert _found(archive, SearchQuery(doc_number="闵府规发")) == {"minhang"}


def test_issuer_and_type_filters(archive: Archive) -> None:
    assert _found(archive, SearchQuery("人工智能", issuer="深圳市人民政府")) == {"shenzhen"}
    assert _found(archive, SearchQuery(issuer="办公厅")) == {"shenyang", "hangzhou"}
    assert _found(archive, SearchQuery("人工智能", doc_type="实施意见")) == {"minhang"}


def test_issue_date_range(archive: Archive) -> None:
    in_2018 = SearchQuery(issued_from=date(2018, 1, 1), issued_to=date(2018, 12, 31))
    assert _found(archive, in_2018) == {"nansha", "shenyang", "minhang"}
    assert _found(archive, SearchQuery(issued_from=date(2024, 1, 1))) == {"hangzhou"}


def test_in_force_respects_effective_and_expiry_dates(archive: Archive) -> None:
    # 闵行: effective 2018-10-01, expires 2021-09-30; the others have no expiry and start when issued.
    assert "minhang" in _found(archive, SearchQuery("补贴", in_force=date(2020, 6, 1)))
    assert "minhang" not in _found(archive, SearchQuery("补贴", in_force=date(2022, 1, 1)))
    assert "minhang" not in _found(archive, SearchQuery("补贴", in_force=date(2018, 9, 1)))  # issued, not yet in force
    assert _found(archive, SearchQuery(region="广东省", in_force=date(2018, 9, 1))) == {"nansha"}  # 深圳: no dates


def test_removed_documents_are_left_out_unless_asked_for(archive: Archive) -> None:
    archive.set_status("shenzhen", "removed")
    assert _found(archive, SearchQuery("人工智能", region="广东省")) == {"nansha"}
    assert _found(archive, SearchQuery("人工智能", region="广东省", status="removed")) == {"shenzhen"}
    assert _found(archive, SearchQuery("人工智能", region="广东省", status=None)) == {"shenzhen", "nansha"}


def test_old_versions_are_searchable_on_request(archive: Archive) -> None:
    assert _found(archive, SearchQuery("底座", region="苏州市")) == set()
    with archive.factory() as session:
        hits = search(session, SearchQuery("底座", region="苏州市", all_versions=True))
    assert [(h.seq, h.latest) for h in hits] == [(1, False)]
    assert _found(archive, SearchQuery('"信息模型"')) == {"suzhou"}


def test_quoted_phrase_needs_its_words_together(archive: Archive) -> None:
    # 信息 and 模型 occur apart in several plans; together only in 苏州's second version.
    assert len(_found(archive, SearchQuery("信息模型"))) > 1
    assert _found(archive, SearchQuery("“信息模型”")) == {"suzhou"}
    assert _found(archive, SearchQuery('"人工智能产业" 补贴')) == {"minhang"}


def test_every_version_is_listed_with_hash_and_warc_reference(archive: Archive) -> None:
    with archive.factory() as session:
        history = version_history(session, archive.ids["suzhou"])
        missing = version_history(session, 10_000)
    assert missing is None
    assert history is not None
    assert [(v.seq, v.latest) for v in history] == [(1, False), (2, True)]
    assert [v.fetched_at.date() for v in history] == [date(2026, 1, 5), date(2026, 3, 9)]
    assert history[0].content_hash != history[1].content_hash
    assert all(v.warc_record.startswith("warc/") for v in history)


def test_paging_without_query_text_orders_by_issue_date(archive: Archive) -> None:
    with archive.factory() as session:
        first = search(session, SearchQuery(limit=2))
        second = search(session, SearchQuery(limit=2, offset=2))
        total = count(session, SearchQuery())
    assert total == 7
    assert [h.issue_date for h in first] == [date(2024, 3, 1), date(2023, 5, 6)]
    assert not {h.id for h in first} & {h.id for h in second}
