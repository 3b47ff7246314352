"""Rules added after the second blind round (tests/fixtures/analysis/blind2): each test writes its own small
text or page, different from the fixture that revealed the gap, so the rule is checked rather than the fixture."""

from consumers.analysis import analyze
from consumers.analysis.page import extract_page
from consumers.analysis.relevance import classify


def test_unlabelled_web_stamp_before_source_below_the_body_is_the_publish_date():
    html = ("<html><body><div class='pages_content'><p>各省、自治区、直辖市农业农村厅：</p>"
            "<p>现将有关事项通知如下，请结合实际抓好落实，确保各项任务按期完成并及时报送进展情况。</p>"
            "<p>农业农村部</p><p>2023年5月4日</p></div>"
            "<div class='pages-date'>2023-05-09 10:02 来源： 农业农村部网站</div></body></html>")
    assert extract_page(html).fields["publish_date"] == "2023-05-09"


def test_h3_headline_is_the_title_when_the_title_tag_is_the_site_name():
    html = ("<html><head><title>某某县人民政府</title></head><body><div class='art-hd'>"
            "<h3>某某县人民政府关于印发某某县乡村振兴实施方案的通知</h3></div><div class='art-bd'>"
            "<p>各乡镇人民政府：</p><p>现将《某某县乡村振兴实施方案》印发给你们，请认真贯彻落实，按期完成各项任务。</p>"
            "<p>某某县人民政府</p><p>2023年8月1日</p><p>某某县乡村振兴实施方案</p></div></body></html>")
    analysis = analyze(html=html)
    assert analysis.notice_title == "某某县人民政府关于印发某某县乡村振兴实施方案的通知"
    assert analysis.title == "某某县乡村振兴实施方案"


def test_related_attachment_link_with_extension_repeats_the_printed_attachment():
    html = ("<html><body><div class='TRS_Editor'><p>各区县农业农村局：</p><p>现将有关事项通知如下，请认真组织申报工作。</p>"
            "<p>附件：1.项目汇总表</p><p>2.申报指南</p><p>某某市农业农村局</p><p>2023年6月1日</p></div>"
            "<ul class='xgfj'><li><a href='/a/1.xlsx'>项目汇总表.xlsx</a></li><li><a href='/a/2.pdf'>申报指南.pdf</a></li>"
            "</ul></body></html>")
    names = [a["name"] for a in analyze(html=html).attachments]
    assert sorted(names) == ["申报指南", "项目汇总表"]


def test_signature_abbreviated_to_the_level_takes_the_full_name_from_the_title():
    text = ("某某市人民政府办公室关于印发某某市养老服务体系建设实施方案的通知\n某政办发〔2023〕5号\n各区人民政府：\n"
            "现将《某某市养老服务体系建设实施方案》印发给你们，请认真贯彻执行。\n市府办\n2023年2月3日\n"
            "某某市养老服务体系建设实施方案\n")
    assert analyze(text).issuers == ["某某市人民政府办公室"]


def test_adjacent_industry_call_without_agenda_or_ai_mention_is_not_borderline():
    body = "为推进智能工厂建设，现组织开展智能制造示范项目申报工作。申报单位须为本市注册企业。" * 3
    assert classify("关于组织申报2023年度智能制造示范项目的通知", None, body).label == "no"
    assert classify("某某市智能制造产业发展行动计划", None, body).label == "borderline"


def test_interpretation_page_is_placed_by_the_interpreted_documents_title():
    text = "《洛阳市促进文旅消费若干措施》政策解读\n一、出台背景\n为进一步释放消费潜力，制定本措施。\n"
    analysis = analyze(text)
    assert analysis.region is not None and analysis.region.name == "洛阳市"
    assert analysis.admin_level == "municipal"


def test_guanyu_interpretation_headline_is_placed_by_the_interpreted_title():
    analysis = analyze("关于《海淀区支持低空经济发展若干措施》的解读\n一、起草背景\n为推动产业发展，制定本措施。\n")
    assert analysis.region is not None and analysis.region.name == "海淀区"
    assert analysis.admin_level == "district"


def test_one_cell_table_row_headline_reads_as_a_bare_line():
    html = ("<html><head><title>某某市人民政府</title></head><body><table><tr><td class='bti'><font><b>"
            "某某市人民政府办公室关于印发某某市全民阅读推广实施方案的通知</b></font></td></tr>"
            "<tr><td><p>各区人民政府，市政府各部门：</p><p>《某某市全民阅读推广实施方案》已经市政府同意，现印发给你们。</p>"
            "<p>某某市人民政府办公室</p><p>2023年4月23日</p><p>某某市全民阅读推广实施方案</p></td></tr></table></body></html>")
    analysis = analyze(html=html)
    assert analysis.notice_title == "某某市人民政府办公室关于印发某某市全民阅读推广实施方案的通知"
    assert analysis.title == "某某市全民阅读推广实施方案"


def test_signers_laid_out_in_table_cells_are_all_issuers():
    html = ("<html><body><div class='TRS_Editor'><p>各区生态环境局：</p><p>现将《某某方案》印发给你们，请认真贯彻落实。</p>"
            "<table><tr><td>某某市生态环境局</td><td>某某市水务局</td></tr><tr><td>某某市农业农村委员会</td></tr></table>"
            "<p>2023年9月9日</p></div></body></html>")
    analysis = analyze(html=html)
    assert analysis.issuers == ["某某市生态环境局", "某某市水务局", "某某市农业农村委员会"]
    assert analysis.issue_date == "2023-09-09"


def test_scenario_application_title_with_ai_in_the_body_is_borderline():
    body = "场景是人工智能等新技术走向应用的关键。开放人工智能、低空经济和自动驾驶应用场景。" * 2
    assert classify("关于加快新场景培育和开放的实施意见", None, body).label == "borderline"
    assert classify("关于加快新场景培育和开放的实施意见", None, "开放低空经济和自动驾驶应用场景。").label == "no"


def test_wire_story_lead_names_the_issuer_and_level():
    analysis = analyze("新华社北京5月6日电　经国务院同意，国务院办公厅近日印发《关于促进银发经济发展的意见》。\n"
                       "《意见》提出多项举措。\n")
    assert analysis.issuers == ["国务院办公厅"] and analysis.admin_level == "national"
    assert analyze("各区政府：\n现将市政府办公室印发《某某方案》转发给你们。\n").issuers == []


def test_ai_word_in_a_service_notice_title_without_agenda_or_body_mentions_is_not_yes():
    body = "为提升服务便利度，上线智能客服，群众可通过公众号咨询政策。各地要做好宣传推广。"
    assert classify("关于推广智能客服和“AI+政务”便民服务的通知", None, body).label == "no"
    assert classify("关于加强中小学人工智能教育的通知", None, "开展人工智能通识教育。建设人工智能实验室。").label == "yes"


def test_notice_covering_a_contingency_plan_is_a_covering_notice():
    text = ("某某县人民政府办公室关于印发某某县森林火灾应急预案的通知\n某政办发〔2023〕9号\n各乡镇人民政府：\n"
            "《某某县森林火灾应急预案》已经县政府同意，现印发给你们。\n某某县人民政府办公室\n2023年3月3日\n")
    analysis = analyze(text)
    assert analysis.notice_title == "某某县人民政府办公室关于印发某某县森林火灾应急预案的通知"
    assert analysis.title == "某某县森林火灾应急预案" and analysis.doc_type == "其他"


def test_sector_intelligentisation_plan_is_borderline():
    body = "建设智能工厂，推广工业机器人和机器视觉检测，提升数字化研发设计工具普及率。"
    assert classify("某某市纺织产业智能化改造实施方案", None, body).label == "borderline"
