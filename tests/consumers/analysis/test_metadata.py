from consumers.analysis import analyze
from consumers.analysis.heading import doc_type_of

from .conftest import analysed


def test_covering_notice_gives_the_plan_title_and_the_notice_title():
    analysis = analysed("seeds/001_1b4b1833641e6e95.txt")
    assert analysis.title == "沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)"
    assert analysis.notice_title == "沈阳市人民政府办公厅关于印发沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)的通知"
    assert analysis.doc_number == "沈政办发〔2018〕144号"
    assert analysis.issuers == ["沈阳市人民政府办公厅"] and analysis.issue_date == "2018-12-06"
    assert analysis.period == {"start": 2018, "end": 2020} and analysis.doc_type == "行动计划"


def test_signature_block_beats_web_dates_and_publisher_fields():
    analysis = analysed("labeled/d06.json")  # 发布机构 省发展和改革委员会, 发布日期 2025-11-17
    assert analysis.issuers == ["陕西省发展和改革委员会"]
    assert analysis.issue_date == "2025-11-14"
    assert analysis.publish_date == "2025-11-17"
    assert analysis.admin_level == "provincial" and analysis.region.province == "陕西省"


def test_joint_issuers_are_all_listed_in_signature_order():
    assert analysed("composed/c03_joint_issuers.txt").issuers == ["中共成都市委办公厅", "成都市人民政府办公厅"]
    ten = analysed("labeled/d20.json").issuers
    assert len(ten) == 10 and ten[0] == "工業和信息化部" and ten[-1] == "國家能源局"
    assert analysed("labeled/d20.json").admin_level == "national"


def test_notice_without_title_takes_the_title_from_the_issuing_sentence():
    analysis = analysed("composed/c04_notice_without_title.txt")
    assert analysis.notice_title is None
    assert analysis.title == "贵州省数字经济发展创新区建设三年行动方案(2022—2024年)"
    assert analysis.doc_number == "黔府办发〔2022〕7号" and analysis.issuers == ["贵州省人民政府办公厅"]


def test_garbled_doc_number_is_read_and_normalised():
    analysis = analysed("composed/c02_garbled_doc_number.txt")  # printed 苏府( 2021 ) 36 号
    assert analysis.doc_number == "苏府〔2021〕36号"
    assert [c.doc_number for c in analysis.citations if c.doc_number] == ["苏政发〔2018〕82号"]  # lost bracket


def test_effective_and_expiry_dates_from_the_closing_clauses():
    minhang = analysed("seeds/003_7280d984ce98fe0b.txt")
    assert (minhang.effective_date, minhang.expiry_date) == ("2018-10-01", "2021-09-30")
    chengdu = analysed("composed/c03_joint_issuers.txt")  # 自印发之日起施行,有效期3年
    assert (chengdu.effective_date, chengdu.expiry_date) == ("2023-09-18", "2026-09-17")


def test_period_accepts_tilde_and_dashes_but_not_a_bare_horizon():
    assert analysed("labeled/d10.json").period == {"start": 2019, "end": 2022}
    assert analysed("labeled/d03.json").period == {"start": 2024, "end": 2026}
    assert analysed("labeled/d04.json").period is None  # 到2027年 only


def test_issue_date_falls_back_to_the_metadata_table_when_the_signature_is_garbled():
    analysis = analysed("labeled/d24.json")  # signature prints 2023626
    assert analysis.issue_date == "2023-06-26"
    assert analysis.region.district == "常山县" and analysis.region.city == "衢州市"


def test_standalone_opinion_keeps_its_issuer_prefixed_title_printed_over_two_lines():
    analysis = analysed("labeled/d08.json")
    assert analysis.title == "吉林市人民政府关于促进新一代人工智能产业发展的实施意见"
    assert analysis.notice_title is None and analysis.region.city == "吉林市" and analysis.admin_level == "municipal"


def test_doc_type_is_the_genre_at_the_end_of_the_title():
    assert doc_type_of("浙江省关于加快发展的指导意见") == "意见"
    assert doc_type_of("关于做好秋冬种工作的紧急通知") == "通知"
    assert doc_type_of("某市实施办法") == "办法"
    assert doc_type_of("科技部关于支持西安建设试验区的函") == "其他"
    assert doc_type_of("某市人工智能行动计划(2024-2026年)") == "行动计划"


def test_news_lead_without_header_gives_title_but_no_issuer():
    analysis = analysed("labeled/d25.json")
    assert analysis.title == "潮州市打赢蓝天保卫战实施方案(2019-2020年)"
    assert analysis.doc_number is None and analysis.issue_date is None
    assert analysis.region.city == "潮州市"


def test_empty_input_gives_an_empty_analysis():
    analysis = analyze("")
    assert analysis.title is None and analysis.issuers == [] and analysis.ai.label == "no"


def test_joint_issuers_printed_without_a_separator_are_split():
    from consumers.analysis.issuers import split_joint

    assert split_joint("中共成都市委办公厅成都市人民政府办公厅") == ["中共成都市委办公厅", "成都市人民政府办公厅"]
    assert split_joint("中共中央国务院") == ["中共中央", "国务院"]
    assert split_joint("深圳市人民政府办公厅") == ["深圳市人民政府办公厅"]


def test_bare_web_date_at_the_top_is_not_the_issue_date():
    text = ("长春市人工智能产业发展规划(2021-2025年)\n2021年08月12日\n"
            "长春市人民政府关于印发长春市人工智能产业发展规划(2021-2025年)的通知\n长府发〔2021〕8号\n"
            "各县(市)、区人民政府:\n现将《长春市人工智能产业发展规划(2021-2025年)》印发给你们。\n")
    analysis = analyze(text)
    assert analysis.issue_date is None and analysis.issuers == ["长春市人民政府"]
    assert analysis.doc_number == "长府发〔2021〕8号"


def test_a_doc_number_cited_in_a_sentence_is_not_the_documents_own():
    text = "关于做好试点工作的通知\n各区:\n根据国务院国发〔2017〕35号文件精神,现通知如下。\n一、总体要求\n"
    assert analyze(text).doc_number is None


def test_issuer_and_date_on_one_signature_line():
    text = "关于印发《南京市行动方案》的通知\n各区人民政府:\n现将《南京市行动方案》印发给你们。\n南京市人民政府          2019年5月28日\n"
    analysis = analyze(text)
    assert analysis.issuers == ["南京市人民政府"] and analysis.issue_date == "2019-05-28"


def test_forwarding_notice_gives_the_forwarded_document_as_title():
    text = ("国务院办公厅转发国家发展改革委关于加快推进人工智能产业发展的意见的通知\n国办发〔2024〕5号\n"
            "各省、自治区、直辖市人民政府:\n国家发展改革委《关于加快推进人工智能产业发展的意见》已经国务院同意,现转发给你们。\n"
            "国务院办公厅\n2024年2月1日\n")
    analysis = analyze(text)
    assert analysis.title == "国家发展改革委关于加快推进人工智能产业发展的意见"
    assert analysis.notice_title.startswith("国务院办公厅转发") and analysis.issuers == ["国务院办公厅"]
    assert analysis.admin_level == "national" and analysis.doc_type == "意见" and analysis.citations == []


def test_several_ministries_named_as_a_group_are_national():
    text = ("科技部等六部门关于印发《关于加快场景创新以人工智能高水平应用促进经济高质量发展的指导意见》的通知\n"
            "国科发规〔2022〕199号\n各省、自治区、直辖市科技厅:\n现将《关于加快场景创新以人工智能高水平应用促进经济高质量发展的指导意见》印发给你们。\n")
    analysis = analyze(text)
    assert analysis.issuers == ["科技部等六部门"] and analysis.admin_level == "national" and analysis.region is None
