"""Facet counts narrow a search the way an archivist expects: a province counts its cities' documents."""

from __future__ import annotations

from storage.search import SearchQuery, count
from storage.search_facets import facets

from .conftest import Archive


def _facet(archive: Archive, query: SearchQuery, name: str) -> dict[str, int]:
    with archive.factory() as session:
        found = {facet.name: facet for facet in facets(session, query)}
    return {value.label: value.count for value in found[name].values}


def test_region_facet_counts_provinces_then_the_cities_inside_a_filtered_province(archive: Archive) -> None:
    provinces = _facet(archive, SearchQuery(), "region")
    assert provinces["广东省"] == 2  # 深圳市 and 广州市南沙区
    assert provinces["辽宁省"] == 1 and provinces["上海市"] == 1 and provinces["广西壮族自治区"] == 1
    cities = _facet(archive, SearchQuery(region="广东省"), "region")
    assert cities == {"深圳市": 1, "广州市": 1}


def test_facets_count_only_the_documents_that_match(archive: Archive) -> None:
    query = SearchQuery(text="人工智能", region="广东省")
    with archive.factory() as session:
        total = count(session, query)
        found = {facet.name: facet for facet in facets(session, query)}
    assert sum(v.count for v in found["ai_label"].values) == total == 2
    assert sum(v.count for v in found["year"].values) <= total
    issuers = {v.label: v.count for v in found["issuer"].values}
    assert issuers and all(n >= 1 for n in issuers.values())


def test_each_facet_value_counts_what_its_filter_finds(archive: Archive) -> None:
    query = SearchQuery(text='"智能产业"')
    with archive.factory() as session:
        total = count(session, query)
        found = {facet.name: facet for facet in facets(session, query)}
        assert sum(v.count for v in found["ai_label"].values) == total
        for value in found["region"].values:
            assert count(session, SearchQuery(text='"智能产业"', region=value.label)) == value.count
        for value in found["doc_type"].values:
            assert count(session, SearchQuery(text='"智能产业"', doc_type=value.value)) == value.count
        for value in found["issuer"].values:
            assert count(session, SearchQuery(text='"智能产业"', issuer=value.value)) >= value.count
    assert found["year"].values == sorted(found["year"].values, key=lambda v: v.value, reverse=True)
