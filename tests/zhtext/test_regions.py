from zhtext.region_names import region_at_start
from zhtext.regions import contains, lookup


def test_lookup_resolves_full_short_composite_names_and_codes_to_the_same_region():
    expected = lookup("广州市南沙区")
    assert expected is not None and expected.code == "440115"
    for name in ("南沙区", "南沙", "440115", "440115000000", "广东省广州市南沙区", "广州南沙"):
        assert lookup(name) == expected, name
    assert (expected.province, expected.city, expected.district, expected.level) == ("广东省", "广州市", "南沙区", "district")
    assert lookup("广东") == lookup("广东省") and lookup("广东").level == "provincial"
    assert lookup("深圳").city == "深圳市" and lookup("深圳").level == "municipal"


def test_municipality_and_its_district_have_province_equal_to_city():
    shanghai = lookup("上海市")
    minhang = lookup("闵行区")
    assert (shanghai.province, shanghai.city, shanghai.level) == ("上海市", "上海市", "provincial")
    assert (minhang.province, minhang.city, minhang.district, minhang.level) == ("上海市", "上海市", "闵行区", "district")


def test_county_level_city_is_a_district_under_its_prefecture():
    dongyang = lookup("东阳市")
    assert (dongyang.province, dongyang.city, dongyang.district, dongyang.level) == ("浙江省", "金华市", "东阳市", "district")


def test_autonomous_prefecture_short_name_resolves_to_its_gbt2260_name():
    ref = lookup("黔东南州")
    assert ref is not None and ref.city == "黔东南苗族侗族自治州" and ref.level == "municipal" and ref.code == "522600"
    assert lookup("广西").province == "广西壮族自治区"


def test_contains_follows_the_hierarchy_and_is_reflexive():
    guangdong, shenzhen, nansha = lookup("广东省"), lookup("深圳市"), lookup("广州市南沙区")
    assert contains(guangdong, shenzhen) and contains(guangdong, nansha) and contains(guangdong, guangdong)
    assert not contains(shenzhen, guangdong) and not contains(shenzhen, nansha)
    assert contains(lookup("上海"), lookup("浦东新区"))


def test_ambiguous_district_name_needs_a_parent_and_unknown_names_give_none():
    assert lookup("鼓楼区") is None
    assert lookup("福州市鼓楼区").code == "350102"
    assert lookup("鼓楼区", within=lookup("南京市")).city == "南京市"
    assert lookup("国务院") is None and lookup("") is None


def test_same_name_province_and_city_are_told_apart_by_suffix():
    assert lookup("吉林").level == "provincial"
    assert lookup("吉林市").level == "municipal" and lookup("吉林市").province == "吉林省"


def test_region_named_at_the_start_of_an_issuer_is_found():
    found = region_at_start("中共深圳市委办公厅")
    assert found is not None and found[0].city == "深圳市"
    assert region_at_start("科技部") is None


def test_ambiguous_issuer_district_is_placed_by_its_parent_named_in_the_text():
    from consumers.analysis import analyze

    text = ("朝阳区人民政府关于印发《朝阳区促进人工智能产业发展若干措施》的通知\n各街道办事处:\n"
            "现将《朝阳区促进人工智能产业发展若干措施》印发给你们,请结合北京市有关要求认真贯彻执行。\n朝阳区人民政府\n2023年7月3日\n")
    region = analyze(text).region
    assert region is not None and (region.province, region.district, region.code) == ("北京市", "朝阳区", "110105")
    assert analyze(text.replace("北京市", "本市")).region is None  # not guessed (e.g. as 朝阳市)


def test_district_renamed_after_the_table_keeps_its_written_name():
    ref = lookup("临安区")
    assert ref is not None and ref.district == "临安区" and ref.city == "杭州市" and ref.level == "district"


def test_current_table_knows_units_created_or_renamed_after_2016():
    assert lookup("临安区").code == "330112" and lookup("临安区").city == "杭州市"
    assert lookup("库车市").city == "阿克苏地区" and lookup("库车市").level == "district"
    assert lookup("深圳市龙华区").code == "440309"


def test_old_names_still_resolve_for_older_documents():
    old = lookup("临安市")
    assert old is not None and (old.province, old.city, old.district) == ("浙江省", "杭州市", "临安市")
    assert lookup("章丘市").city == "济南市"
    assert lookup("临安") == lookup("临安区")  # a short name prefers the current unit


def test_short_place_name_followed_by_a_ministry_suffix_is_not_a_place():
    assert region_at_start("公安部") is None
    assert region_at_start("公安县人民政府")[0].district == "公安县"


def test_doc_number_prefix_names_the_issuing_government_at_a_known_level():
    from zhtext.region_names import region_of_doc_number

    assert region_of_doc_number("苏政发〔2025〕108号", "provincial").name == "江苏省"
    assert region_of_doc_number("苏府办〔2024〕140号", "municipal").name == "苏州市"
    assert region_of_doc_number("青政办函〔2022〕25号", "provincial").name == "青海省"
    assert region_of_doc_number("青政办字〔2024〕21号", "municipal").name == "青岛市"
    assert region_of_doc_number("榕政综〔2024〕3号", "municipal").name == "福州市"
    assert region_of_doc_number("宁政发〔2024〕3号", "municipal") is None  # 宁德 or 宁波 (or 南京): ambiguous
    assert region_of_doc_number("苏政发〔2025〕108号", None) is None
