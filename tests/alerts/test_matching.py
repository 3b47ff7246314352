"""Which subscriber a change concerns: region hierarchy, keywords, topics, kinds and AI relevance."""

from __future__ import annotations

from typing import Any

import pytest

from alerts.matching import match_reasons, subscription_matches
from alerts.subscriptions import SubscriptionSpec
from storage.models import Change, Document


def doc(**fields: Any) -> Document:
    base: dict[str, Any] = {"title": "人工智能发展行动计划", "ai_label": "yes", "topics": []}
    return Document(**(base | fields))


SHENZHEN = {"province": "广东省", "city": "深圳市", "region_code": "440300"}
NANSHA = {"province": "广东省", "city": "广州市", "district": "南沙区"}
SHENYANG = {"province": "辽宁省", "city": "沈阳市", "region_code": "210100"}
MINHANG = {"province": "上海市", "city": "上海市", "district": "闵行区"}
NEW = Change(kind="new")


def spec(**fields: Any) -> SubscriptionSpec:
    return SubscriptionSpec(name="s", channel="file", **fields)


def test_guangdong_subscription_receives_shenzhen_and_nansha_plans_but_not_shenyang() -> None:
    guangdong = spec(regions=["广东省"])
    assert subscription_matches(guangdong, doc(**SHENZHEN), NEW, {})
    assert subscription_matches(guangdong, doc(**NANSHA), NEW, {})
    assert not subscription_matches(guangdong, doc(**SHENYANG), NEW, {})


def test_shanghai_subscription_receives_minhang_but_not_shenzhen() -> None:
    shanghai = spec(regions=["上海市"])
    assert subscription_matches(shanghai, doc(**MINHANG), NEW, {})
    assert not subscription_matches(shanghai, doc(**SHENZHEN), NEW, {})


def test_city_subscription_by_code_covers_its_districts_but_not_its_province() -> None:
    guangzhou = spec(regions=["440100"])
    assert subscription_matches(guangzhou, doc(**NANSHA), NEW, {})
    assert not subscription_matches(guangzhou, doc(province="广东省", region_code="440000"), NEW, {})


def test_document_without_a_known_region_reaches_only_subscribers_without_region_filter() -> None:
    nowhere = doc(province=None, city=None, district=None, region_code=None)
    assert not subscription_matches(spec(regions=["广东省"]), nowhere, NEW, {})
    assert subscription_matches(spec(), nowhere, NEW, {})


def test_keyword_matches_in_text_even_across_a_line_break() -> None:
    robots = spec(keywords=["智能网联汽车", "机器人"])
    text = "推动智能网联\n汽车示范应用"
    reasons = match_reasons(robots, doc(**SHENZHEN), NEW, {}, text=text)
    assert reasons == ["关键词 keywords: 智能网联汽车"]
    assert not subscription_matches(robots, doc(**SHENZHEN), NEW, {}, text="发展智能制造")


def test_keyword_matches_in_title_and_ignores_latin_case() -> None:
    assert subscription_matches(spec(keywords=["aigc"]), doc(title="促进AIGC产业发展若干措施"), NEW, {})


def test_region_and_keyword_must_both_match() -> None:
    both = spec(regions=["广东省"], keywords=["机器人"])
    assert subscription_matches(both, doc(**SHENZHEN), NEW, {}, text="工业机器人")
    assert not subscription_matches(both, doc(**SHENYANG), NEW, {}, text="工业机器人")
    assert not subscription_matches(both, doc(**SHENZHEN), NEW, {}, text="算力")


def test_topics_match_document_topics_or_analysis_topics() -> None:
    compute = spec(topics=["算力"])
    assert subscription_matches(compute, doc(topics=["算力", "数据"]), NEW, {})
    assert subscription_matches(compute, doc(topics=[]), NEW, {"topics": [{"name": "算力"}]})
    assert not subscription_matches(compute, doc(topics=["人才"]), NEW, {})


@pytest.mark.parametrize(("kind", "expected"), [("new", False), ("revised", True), ("removed", False)])
def test_revision_subscriber_receives_only_revisions(kind: str, expected: bool) -> None:
    assert subscription_matches(spec(change_kinds=["revised"]), doc(), Change(kind=kind), {}) is expected


@pytest.mark.parametrize(("label", "ai_only", "expected"), [
    ("yes", True, True),
    ("borderline", True, False),
    ("no", True, False),
    (None, True, False),
    ("borderline", False, True),
    ("no", False, True),
])
def test_ai_only_takes_only_yes_while_archivist_takes_borderline_and_the_rest(
    label: str | None, ai_only: bool, expected: bool
) -> None:
    assert subscription_matches(spec(ai_only=ai_only), doc(ai_label=label), NEW, {}) is expected


def test_reasons_say_why_the_subscriber_got_the_alert() -> None:
    reasons = match_reasons(spec(regions=["广东省"], topics=["算力"]), doc(topics=["算力"], **NANSHA), NEW, {})
    assert reasons == ["地区 region: 广东省", "主题 topics: 算力"]
    assert match_reasons(spec(ai_only=False), doc(), NEW, {}) == ["全部 all documents"]


def test_keyword_matches_whole_words_or_their_head_not_the_inside_of_a_word() -> None:
    text = "加快人工智能产业发展，推广工业机器人。"
    assert not subscription_matches(spec(keywords=["人工"]), doc(**SHENZHEN), NEW, {}, text=text)
    assert subscription_matches(spec(keywords=["人工"], keyword_mode="substring"), doc(**SHENZHEN), NEW, {}, text=text)
    assert subscription_matches(spec(keywords=["机器人"]), doc(**SHENZHEN), NEW, {}, text=text)
    assert subscription_matches(spec(keywords=["人工智能产业"]), doc(**SHENZHEN), NEW, {}, text=text)
    assert not subscription_matches(spec(keywords=["工智"]), doc(**SHENZHEN), NEW, {}, text=text)


def test_admin_level_document_type_and_issuer_filters() -> None:
    plan = doc(**SHENZHEN, admin_level="municipal", doc_type="行动计划", issuers=["深圳市人民政府"])
    assert subscription_matches(spec(admin_levels=["municipal", "provincial"]), plan, NEW, {})
    assert not subscription_matches(spec(admin_levels=["district"]), plan, NEW, {})
    assert subscription_matches(spec(doc_types=["行动计划"]), plan, NEW, {})
    assert not subscription_matches(spec(doc_types=["实施意见"]), plan, NEW, {})
    assert subscription_matches(spec(issuers=["深圳市"]), plan, NEW, {})
    assert not subscription_matches(spec(issuers=["广州市"]), plan, NEW, {})


def test_minimum_ai_score_needs_a_score_at_least_that_high() -> None:
    assert subscription_matches(spec(min_ai_score=0.6), doc(**SHENZHEN, ai_score=0.8), NEW, {})
    assert not subscription_matches(spec(min_ai_score=0.9), doc(**SHENZHEN, ai_score=0.8), NEW, {})
    assert subscription_matches(spec(min_ai_score=0.5), doc(**SHENZHEN), NEW, {"ai": {"score": 0.7}})
    assert not subscription_matches(spec(min_ai_score=0.5), doc(**SHENZHEN), NEW, {})


@pytest.mark.parametrize(("grade", "minimum", "passes"), [
    ("editorial", "wording", False), ("wording", "wording", True), ("major", "substantive", True),
    ("substantive", "major", False), (None, "major", True),
])
def test_minimum_significance_orders_the_grades_and_lets_ungraded_changes_through(
    grade: str | None, minimum: str, passes: bool
) -> None:
    summary = {"significance": {"grade": grade, "reasons": []}} if grade else {}
    revised = Change(kind="revised", summary=summary)
    assert subscription_matches(spec(min_significance=minimum), doc(**SHENZHEN), revised, {}) is passes
