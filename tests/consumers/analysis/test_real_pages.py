"""Rules for the noise of real re-posted pages (the 40 real texts d26–d65 revealed each class): every test
composes its own small text, so the general rule is checked rather than the page that showed the gap."""

from consumers.analysis import analyze
from consumers.analysis.cleaning import clean_text
from zhtext.normalize import matching_form


def test_bracketed_pinyin_glosses_are_dropped_but_latin_in_brackets_is_kept():
    assert clean_text("某某省人民政府關(guān)于印發(fā)《某某方案》的通知") == "某某省人民政府關于印發《某某方案》的通知"
    assert clean_text("社會(huì )治理,推廣AI(人工智能)與VOCs(vocs)治理") == "社會治理,推廣AI(人工智能)與VOCs(vocs)治理"
    text = ("某某省人民政府關(guān)于印發(fā)《某某省數(shù)據(jù)條例實施方案》的通知\n某政發(fā)〔2024〕3號\n各市人民政府：\n"
            "現(xiàn)將《某某省數(shù)據(jù)條例實施方案》印發(fā)給你們。\n某某省人民政府\n2024年3月1日\n")
    analysis = analyze(text)
    assert analysis.doc_number == "某政發〔2024〕3號" and analysis.issuers == ["某某省人民政府"]
    assert analysis.title == "某某省數據條例實施方案"


def test_letter_spaced_signature_lines_are_closed_up():
    assert clean_text("科 技 部\n中 共 某 市 委   某 市 人 民 政 府") == "科技部\n中共某市委   某市人民政府"
    assert clean_text("一 、总体要求") == "一 、总体要求"


def test_repost_headline_with_doc_number_before_the_real_title_is_not_part_of_it():
    text = ("某政发〔2022〕8号《某某省人民政府关于加快发展智慧农业的实施意见》\n"
            "某某省人民政府关于加快发展智慧农业的实施意见\n某政发〔2022〕8号\n各市人民政府：\n为推进农业现代化，提出如下意见。\n"
            "一、总体要求\n")
    analysis = analyze(text)
    assert analysis.title == "某某省人民政府关于加快发展智慧农业的实施意见"
    assert analysis.issuers == ["某某省人民政府"] and analysis.doc_number == "某政发〔2022〕8号"


def test_page_labels_dates_and_remarks_above_a_title_are_not_joined_into_it():
    for above in ("政策库\n政策详情", "2024年3月5日\n(此件公开发布)", "某某市人民政府网"):
        text = f"{above}\n某某市低空经济发展行动方案(2024-2026年)\n为推动低空经济发展，制定本方案。\n一、主要目标\n"
        assert analyze(text).title == "某某市低空经济发展行动方案(2024-2026年)", above


def test_notice_printed_as_headline_and_again_under_its_issuer_line_is_read_once():
    notice = "某某市人民政府关于印发某某市数据要素市场化配置改革行动方案的通知"
    text = (f"{notice}\n某某市人民政府\n关于印发某某市数据要素市场化配置改革行动方案的通知\n某政发〔2024〕5号\n"
            "各区人民政府：\n现将《某某市数据要素市场化配置改革行动方案》印发给你们。\n某某市人民政府\n2024年4月2日\n"
            "某某市数据要素市场化配置改革行动方案\n")
    analysis = analyze(text)
    assert analysis.notice_title == notice and analysis.title == "某某市数据要素市场化配置改革行动方案"


def test_search_snippet_line_is_not_a_notice_title():
    text = ("某某局关于印发《智能某某 ... - example.gov.cn/zwgk/2017/W... · 实现整体跃升。据预测,\n某数〔2017〕9号\n"
            "某某局关于印发《某某省智能产业发展规划(2017—2020年)》的通知\n各市(州)人民政府：\n"
            "《某某省智能产业发展规划(2017—2020年)》已经省人民政府同意，现印发你们。\n某某省某某局\n2017年9月3日\n")
    analysis = analyze(text)
    assert analysis.notice_title == "某某局关于印发《某某省智能产业发展规划(2017—2020年)》的通知"
    assert analysis.title == "某某省智能产业发展规划(2017—2020年)"


def test_flattened_page_reads_the_forwarding_notice_with_its_issuer_and_drafter():
    text = ("关于转发区经委制订的《某某区关于支持数字经济发展的实施意见》的通知 时间:2019-01-04 某府办发〔2018〕12号 "
            "某某市某某区人民政府办公室 关于转发区经委制订的《某某区关于支持数字经济发展的实施意见》的通知 各街道办事处: "
            "经区政府同意,现将区经委制订的《某某区关于支持数字经济发展的实施意见》转发给你们,请认真按照执行。 "
            "2018年12月25日 某某区关于支持数字经济发展的实施意见 为推动数字经济发展,提出如下实施意见:")
    analysis = analyze(text)
    assert analysis.notice_title == ("某某市某某区人民政府办公室 关于转发区经委制订的"
                                     "《某某区关于支持数字经济发展的实施意见》的通知")
    assert analysis.title == "某某区关于支持数字经济发展的实施意见"
    assert analysis.issuers == ["某某市某某区人民政府办公室"]
    assert analysis.doc_number == "某府办发〔2018〕12号" and analysis.issue_date == "2018-12-25"


def test_forwarded_plan_drops_the_drafting_departments_named_before_it():
    text = ("某某市人民政府办公厅关于转发市发展改革委市财政局拟定的某某市充电设施建设实施方案的通知\n各区人民政府：\n"
            "市发展改革委、市财政局拟定的《某某市充电设施建设实施方案》已经市人民政府同意，现转发给你们。\n2019年5月6日\n"
            "某某市充电设施建设实施方案\n")
    assert analyze(text).title == "某某市充电设施建设实施方案"


def test_title_nested_in_angle_marks_and_a_period_without_year_find_the_printed_title():
    nested = ("关于印发《〈某某省促进数据产业发展若干政策〉实施细则》的通知\n各盟市数据管理部门：\n现将有关细则印发给你们。\n"
              "某某省数据局\n2026年2月10日\n《某某省促进数据产业发展若干政策》实施细则\n为推动落实，制定本细则。\n")
    assert analyze(nested).title == "《某某省促进数据产业发展若干政策》实施细则"
    period = ("标题:某某盟行政公署办公室关于印发《某某盟算力产业发展实施方案(2025-2027)》的通知\n各旗县人民政府：\n"
              "现将方案印发给你们。\n某某盟算力产业发展实施方案\n(2025—2027年)\n为推动算力产业发展，制定本方案。\n")
    assert analyze(period).title == "某某盟算力产业发展实施方案(2025—2027年)"


def test_of_two_documents_issued_together_the_title_is_the_one_whose_text_follows():
    text = ("各县(市、区)人民政府：\n《某某市低空经济产业发展行动计划(2025-2027年)》《某某市支持低空经济发展若干政策措施》"
            "已经市政府常务会议审议通过，现印发给你们。\n某某市人民政府办公室\n2025年9月18日\n"
            "某某市低空经济产业发展行动计划(2025-2027年)\n为加快低空经济发展，制定本行动计划。\n")
    analysis = analyze(text)
    assert analysis.title == "某某市低空经济产业发展行动计划(2025-2027年)"
    assert analysis.period == {"start": 2025, "end": 2027} and analysis.doc_type == "行动计划"


def test_plan_issued_in_a_sentence_after_a_full_stop_is_the_title():
    text = ("各有关单位：\n为推进健康城市建设，我们制定了《某某市健康城市建设实施方案(2024-2026年)》。现印发给你们，请认真执行。\n"
            "某某市卫生健康委员会\n2024年1月9日\n(此件公开发布)\n某某市健康城市建设实施方案(2024-2026年)\n")
    assert analyze(text).title == "某某市健康城市建设实施方案(2024-2026年)"


def test_state_council_office_transmittal_without_guanyu_titles_the_plan_as_printed():
    text = ("国务院办公厅印发关于推进某某工作实施方案的通知\n国办发〔2021〕9号\n各省、自治区、直辖市人民政府：\n"
            "《关于推进某某工作的实施方案》已经国务院同意，现印发给你们。\n国务院办公厅\n2021年3月1日\n"
            "关于推进某某工作的实施方案\n")
    analysis = analyze(text)
    assert analysis.notice_title == "国务院办公厅印发关于推进某某工作实施方案的通知"
    assert analysis.title == "关于推进某某工作的实施方案" and analysis.admin_level == "national"


def test_consultation_letter_covers_the_draft_printed_below_it():
    text = ("关于对《某某市智能网联汽车发展行动计划(2019—2021年)》征求意见的函\n各有关单位：\n"
            "我局起草了征求意见稿，请提出意见。\n某某市科学技术局\n2019年5月31日\n附件\n"
            "某某市智能网联汽车发展行动计划(2019—2021年)\n(征求意见稿)\n为推动产业发展，制定本行动计划。\n")
    analysis = analyze(text)
    assert analysis.notice_title == "关于对《某某市智能网联汽车发展行动计划(2019—2021年)》征求意见的函"
    assert analysis.title == "某某市智能网联汽车发展行动计划(2019—2021年)" and analysis.doc_type == "行动计划"
    assert analysis.issuers == ["某某市科学技术局"]


def test_long_joint_signature_keeps_every_signer_and_local_offices_of_national_bodies_whole():
    signers = ["常德市卫生健康委员会", "常德市发展和改革委员会", "常德市教育局", "常德市民政局", "中共常德市委组织部",
               "国家金融监督管理总局常德监管分局", "中国人民银行常德市分行", "国家税务总局常德市税务局",
               "常德市残疾人联合会", "常德市老龄工作委员会办公室"]
    lines = "\n".join(f"{a} {b}" for a, b in zip(signers[::2], signers[1::2], strict=True))
    text = f"各区县有关部门：\n现将《常德市老年健康服务实施方案》印发给你们，请认真执行。\n{lines}\n2023年12月1日\n"
    assert analyze(text).issuers == signers


def test_party_office_name_broken_over_two_signature_lines_is_one_issuer():
    text = ("各市州民政局：\n现将《关于推进数字乡村建设的实施意见》印发给你们。\n某某省民政厅\n中共某某省委政法委员会\n"
            "中共某某省委网络安全和\n信息化委员会办公室\n某某省财政厅\n2022年12月20日\n")
    assert analyze(text).issuers == ["某某省民政厅", "中共某某省委政法委员会", "中共某某省委网络安全和信息化委员会办公室",
                                     "某某省财政厅"]


def test_space_slipped_into_a_ministry_name_is_put_back_between_the_signers():
    text = ("各省、自治区、直辖市有关部门：\n现将《“数据要素×”行动计划》印发给你们。\n"
            "工业和信息化部 教育部 人力资源社会保障部住房 城乡建设部 交通运输部\n2024年1月4日\n")
    analysis = analyze(text)
    assert analysis.issuers == ["工业和信息化部", "教育部", "人力资源社会保障部", "住房城乡建设部", "交通运输部"]
    assert analysis.admin_level == "national"


def test_flattened_database_record_takes_the_date_after_the_issuing_sentence():
    text = ("某某市人民政府办公室关于印发《某某市网格化管理工作方案》的通知文章属性•【制定机关】某某市人民政府•【公布日期】2012.05.02"
            "正文某某市人民政府办公室关于印发《某某市网格化管理工作方案》的通知(某府办函〔2012〕16号)各县(区)人民政府:"
            "《某某市网格化管理工作方案》已经市政府同意,现印发你们,请认真组织实施。\n二○一二年四月二十八日某某市网格化管理工作方案为进一步")
    analysis = analyze(text)
    assert analysis.issue_date == "2012-04-28" and analysis.issuers == ["某某市人民政府办公室"]


def test_traditional_national_letter_with_an_issuing_organ_field_and_no_signature():
    text = ("關於開展人工智能教育試點工作的通知\n教技廳函〔2019〕12號\n2019年3月8日\n發布機關:教育部辦公廳\n"
            "教育部網站\n各省、自治區、直轄市教育廳(教委):\n為推動人工智能教育，決定開展試點工作。\n一、試點範圍\n")
    analysis = analyze(text)
    assert [matching_form(i) for i in analysis.issuers] == ["教育部办公厅"]
    assert analysis.issue_date == "2019-03-08" and analysis.admin_level == "national"


def test_repost_without_title_is_placed_by_the_doc_number_prefix_and_the_recipients():
    body = "现将《关于加快发展低空经济的若干措施》印发给你们，请认真贯彻落实。\n2025年3月4日\n关于加快发展低空经济的若干措施\n一、"
    expected = {
        "(桂政办发〔2025〕12号)\n各市、县人民政府，自治区人民政府各组成部门、各直属机构：": ("广西壮族自治区", "provincial"),
        "(浙政发〔2025〕3号)\n各市、县(市、区)人民政府，省政府直属各单位：": ("浙江省", "provincial"),
        "(甬政办发〔2025〕12号)\n各区(县、市)人民政府，市直及部省属驻甬各单位：": ("宁波市", "municipal"),
        "(沪府办发〔2025〕7号)\n各区人民政府，市政府各委、办、局：": ("上海市", "provincial"),
        "各市(含定州、辛集市)人民政府，雄安新区管委会，省政府各部门：": ("河北省", "provincial"),
    }
    for head, (region, level) in expected.items():
        analysis = analyze(f"{head}\n{body}")
        assert (analysis.region.name if analysis.region else None, analysis.admin_level) == (region, level), head
    ministry = analyze(f"(工信厅科〔2025〕12号)\n各省、自治区、直辖市及计划单列市工业和信息化主管部门：\n{body}")
    assert ministry.region is None and ministry.admin_level == "national"


def test_traditional_page_without_header_takes_the_plan_named_in_its_first_sentence():
    text = ("為加快推動低空經濟發展，市發展改革委、市交通運輸局聯合制定《泉州市推動低空經濟高質量發展行動計劃(2024—2026年)》，"
            "主要內容如下。\n一、總體目標\n到2026年，低空經濟規模突破200億元。\n")
    analysis = analyze(text)
    assert analysis.title == "泉州市推動低空經濟高質量發展行動計劃(2024—2026年)"
    assert analysis.region.name == "泉州市" and analysis.admin_level == "municipal"
    assert analysis.period == {"start": 2024, "end": 2026} and analysis.doc_type == "行动计划"


def test_gazette_notice_keeps_the_letter_spaced_issuer_line_above_its_two_line_title():
    text = ("湖 南 省 人 民 政 府 办 公 厅 文 件\n湘政办发〔2024〕8号\n湖 南 省 人 民 政 府 办 公 厅\n"
            "关于印发《湖南省促进人工智能产业发展\n若干措施》的通知\n各市、县人民政府，省政府各部门：\n"
            "现将《湖南省促进人工智能产业发展若干措施》印发给你们，请认真贯彻执行。\n2024年3月1日\n")
    analysis = analyze(text)
    assert analysis.notice_title == "湖南省人民政府办公厅关于印发《湖南省促进人工智能产业发展若干措施》的通知"
    assert analysis.issuers == ["湖南省人民政府办公厅"] and analysis.admin_level == "provincial"


def test_flattened_law_database_record_reads_a_notice_without_book_marks_and_its_inline_signature():
    text = ("浙江省人民政府办公厅关于印发浙江省低空经济发展行动方案的通知•【发布部门】浙江省人民政府•【发文字号】浙政办发〔2024〕3号"
            "•【发布日期】2024.02.20•【时效性】现行有效 正文 浙江省人民政府办公厅关于印发浙江省低空经济发展行动方案的通知 "
            "各市、县(市、区)人民政府，省政府直属各单位：现将《浙江省低空经济发展行动方案》印发给你们，请认真贯彻落实。"
            "浙江省人民政府办公厅 2024年2月8日 浙江省低空经济发展行动方案 为加快发展低空经济，根据国务院关于印发"
            "无人驾驶航空器飞行管理暂行条例的通知精神，制定本方案。" + "推动低空经济高质量发展。" * 10)
    analysis = analyze(text)
    assert analysis.notice_title == "浙江省人民政府办公厅关于印发浙江省低空经济发展行动方案的通知"
    assert analysis.title == "浙江省低空经济发展行动方案" and analysis.issuers == ["浙江省人民政府办公厅"]
    assert analysis.issue_date == "2024-02-08"


def test_district_name_shared_by_several_cities_is_placed_by_the_city_named_in_the_text():
    text = ("重磅！鼓楼区出台支持数字经济发展若干措施\n近日，南京市鼓楼区人民政府印发《鼓楼区支持数字经济发展若干措施》。\n"
            "鼓楼区支持数字经济发展若干措施\n一、支持企业上云\n")
    analysis = analyze(text)
    assert analysis.region.city == "南京市" and analysis.region.district == "鼓楼区"
    assert analysis.admin_level == "district"
