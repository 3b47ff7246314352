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


def test_current_vocabulary_names_ai_in_titles_and_bodies():
    for title in ("某某省通用人工智能产业创新发展行动计划", "某某市人形机器人产业创新发展实施意见", "某某市多模态大语言模型应用行动方案",
                  "某某市智算中心建设行动方案", "某某省高质量语料库建设实施方案"):
        assert classify(title, None, "为推动产业发展，制定本方案。").label == "yes", title
    taiwan = classify("高等學校人工智慧創新行動計劃", None, "人工智慧的迅速發展將深刻改變人類社會。" * 3)
    assert taiwan.label == "yes" and any(e["term"] == "人工智能" and e["where"] == "body" for e in taiwan.evidence)
    latin = classify("关于推动产业创新发展的通知", None, "支持AIGC和AI for Science发展，推进AGI研究。" * 6)
    assert {e["term"] for e in latin.evidence if e["where"] == "body"} >= {"生成式", "科学智能", "通用人工智能"}


def test_data_industry_is_borderline_but_digital_city_management_and_smart_words_are_not():
    assert classify("某某盟数据产业高质量发展实施方案(2025—2027年)", None, "培育数据要素市场。").label == "borderline"
    for title, body in (("某某市数字化城市管理工作实施方案", "以万米单元网格为基本单位，建立城市管理信息系统。"),
                        ("关于切实解决老年人运用智能技术困难的实施方案", "随着互联网、大数据、人工智能等信息技术快速发展。"),
                        ("某某区生活垃圾分类和减量工作实施方案", "逐步形成智能化监管、网络化收集机制，统一智慧监管。")):
        assert classify(title, None, body).label == "no", title


def test_robot_application_plan_without_ai_is_borderline():
    assert classify("“机器人+”应用行动实施方案", None, "加快推进机器人应用拓展。").label == "borderline"


def test_topics_tag_the_current_terms_of_an_ai_plan_named_once_each():
    body = "加快通用人工智能研发，建设智算中心，扩大算力供给，发展具身智能和多模态模型，开发行业智能体，建设高质量数据集。"
    topics = classify("某某市人工智能产业发展行动方案", None, body).topics
    assert {"大模型", "算力", "具身智能", "多模态", "智能体", "数据要素"} <= set(topics)
    assert "资金扶持" not in topics and "人才" not in topics


def test_robot_plan_naming_humanoid_robots_in_its_body_is_an_ai_plan():
    assert classify("某某市机器人产业发展若干意见", None, "推动人形机器人产业集聚发展。").label == "yes"
