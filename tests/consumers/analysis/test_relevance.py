from consumers.analysis import analyze
from consumers.analysis.relevance import TOPICS, classify

from .conftest import analysed


def test_ai_plan_is_yes_with_evidence_from_title_and_body():
    ai = analysed("labeled/d09.json").ai
    assert ai.label == "yes" and ai.score >= 0.8
    assert {"term": "人工智能", "where": "title"}.items() <= ai.evidence[0].items()
    assert any(e["where"] == "body" and e["term"] == "人工智能" and e["count"] >= 5 for e in ai.evidence)


def test_digital_economy_and_new_infrastructure_plans_are_borderline():
    assert analysed("labeled/d15.json").ai.label == "borderline"
    assert analysed("labeled/d17.json").ai.label == "borderline"
    assert analysed("composed/c08_borderline_district.txt").ai.label == "borderline"


def test_unrelated_notices_are_no_even_with_look_alike_words():
    assert analysed("labeled/d21.json").ai.label == "no"
    assert analysed("composed/c06_unrelated_notice.txt").ai.label == "no"
    result = classify("关于做好春耕工作的通知", None, "请拨打人工客服热线。机器人工作站维修。" * 5)
    assert result.label == "no" and not any(e["term"] == "人工智能" for e in result.evidence)


def test_5g_plan_without_ai_is_no_and_with_ai_is_borderline():
    assert analysed("labeled/d20.json").ai.label == "no"
    body = "推进5G应用。" + "推动5G与人工智能融合。" * 2
    assert classify("5G应用行动计划", None, body).label == "borderline"


def test_topics_come_from_the_documented_vocabulary():
    topics = analysed("seeds/004_279d2fb2746ce7ce.txt").ai.topics
    assert set(topics) <= set(TOPICS)
    assert {"智能机器人", "智能网联汽车", "芯片", "人才"} <= set(topics)


def test_body_dominated_by_ai_is_yes_without_ai_in_the_title():
    text = "关于推动产业创新发展的通知\n" + "发展人工智能产业,建设人工智能创新平台,推广大模型应用。" * 20
    assert analyze(text).ai.label == "yes"


def test_news_with_one_ai_section_is_not_an_ai_plan(shared_dir):
    import json

    records = json.loads((shared_dir / "realpages" / "dev11_www.nea.gov.cn_crawler-output.json").read_text(encoding="utf-8"))
    record = next(r for r in records if r["title"].startswith("风电行业"))
    analysis = analyze(html=record["body_html"], hints={"list_title": record["title"]})
    assert analysis.ai.label == "borderline"
    assert any(e["term"] == "人工智能" for e in analysis.ai.evidence)
