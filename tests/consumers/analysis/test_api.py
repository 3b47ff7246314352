import codecs
import json

from consumers.analysis import analyze, analyze_path, render_text

from .conftest import analysed

INTERFACE_KEYS = {"title", "notice_title", "doc_number", "issuers", "issue_date", "publish_date", "effective_date",
                  "expiry_date", "region", "admin_level", "period", "doc_type", "ai", "outline", "targets",
                  "responsibilities", "citations", "text"}


def test_to_dict_has_exactly_the_interface_keys_and_is_json_serialisable():
    data = analysed("seeds/000_fb4ee9a1d35412b6.txt").to_dict()
    assert set(data) == INTERFACE_KEYS
    assert set(data["region"]) == {"province", "city", "district", "code"} and data["region"]["code"] == "440115"
    assert set(data["ai"]) == {"label", "score", "evidence", "topics"}
    assert {"text", "metric", "comparator", "value", "unit", "year"} <= set(data["targets"][0])
    json.dumps(data, ensure_ascii=False)


def test_national_document_has_null_region_and_national_level():
    data = analysed("labeled/d01.json").to_dict()
    assert data["region"] == {"province": None, "city": None, "district": None, "code": None}
    assert data["admin_level"] == "national" and data["doc_number"] == "國發〔2017〕35號"  # printed script kept


def test_analyze_path_reads_gbk_bytes_and_utf8_with_bom(tmp_path, fixtures_dir):
    gbk = analyze_path(fixtures_dir / "composed" / "c01_gbk_municipal_plan.gbk.txt")
    assert gbk.doc_number == "合政办〔2024〕18号" and gbk.region.city == "合肥市"
    bom = tmp_path / "bom.txt"
    bom.write_bytes(codecs.BOM_UTF8 + "国务院关于印发《某规划》的通知\n国发〔2020〕1号\n".encode())
    analysis = analyze_path(bom)
    assert analysis.doc_number == "国发〔2020〕1号" and analysis.title == "某规划"


def test_text_is_the_cleaned_body_used_for_analysis():
    analysis = analyze("正文。\n分享到:微信\n扫描二维码关注\n")
    assert analysis.text == "正文。" and analysis.to_dict()["text"] == "正文。"


def test_render_text_is_a_readable_report_with_chinese_labels():
    report = render_text(analysed("seeds/003_7280d984ce98fe0b.txt"))
    assert "标题 title" in report and "闵行区推动新一代人工智能产业发展的实施意见" in report
    assert "上海市 / 上海市 / 闵行区 (310112)" in report and "有效期至 expires" in report and "2021-09-30" in report


def test_region_hint_places_a_document_whose_issuer_names_no_place():
    text = "市人民政府办公室关于做好防汛工作的通知\n各区:\n请做好防汛工作。\n市人民政府办公室\n2024年6月1日"
    assert analyze(text).region is None
    placed = analyze(text, hints={"region": "苏州市"})
    assert placed.region.code == "320500" and placed.admin_level == "municipal"
    national = analyze("国务院关于做好防汛工作的通知\n国务院\n2024年6月1日", hints={"region": "苏州市"})
    assert national.region is None and national.admin_level == "national"


def test_analyze_path_reads_a_labeled_json_record_by_its_text(fixtures_dir):
    analysis = analyze_path(fixtures_dir / "labeled" / "d01.json")
    assert analysis.issuers == ["國務院"] and analysis.issue_date == "2017-07-08"
