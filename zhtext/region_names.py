"""Region names inside running text: the region a title or signature starts with, the first full name in a
passage, which of several same-named districts a context means, and the government a 文号 prefix names
(its province or city abbreviation). Built on ``zhtext.regions``'s table."""

from __future__ import annotations

import re
from functools import lru_cache

from zhtext.regions import RegionRef, all_regions, lookup, names_index

# An organisation suffix right after a suffix-less short name: 公安部, 教育厅 — not a place + body
_ORG_AFTER_ALIAS = re.compile(r"[部厅局委办署院司处]")
_NAME_SUFFIX = re.compile(r"(?:省|市|区|县|州|旗|盟|自治区|自治州|自治县|特别行政区|新区|地区)$")


def region_at_start(text: str, within: RegionRef | None = None) -> tuple[RegionRef, int] | None:
    """The most specific region named at the start of ``text`` (广州南沙… → 南沙区) and the length consumed.

    Full names (with 省/市/区/县… suffix) are preferred over short forms; each level found narrows the
    next search, so 广东省深圳市 and 广州南沙 both resolve down to the lowest unit named.
    """
    index = names_index()
    text = re.sub(r"^(?:中共|中国共产党)", "", text)
    best: tuple[RegionRef, int] | None = None
    pos = 0
    current = within
    while pos < len(text):
        found: tuple[RegionRef, int] | None = None
        ambiguous_full = False
        for want_full in (True, False):
            if ambiguous_full:
                break  # 朝阳区 names several districts: do not fall back to the alias 朝阳 (→ 朝阳市)
            for size in range(min(16, len(text) - pos), 1, -1):
                key = text[pos:pos + size]
                if key not in index or bool(_NAME_SUFFIX.search(key)) != want_full:
                    continue
                if not want_full and _ORG_AFTER_ALIAS.match(text, pos + size):
                    continue  # 公安部 is a ministry, not 公安(县) + 部
                ref = lookup(key, current)
                if ref is not None and (current is None or ref.code != current.code):
                    found = (ref, size)
                    break
                if ref is None and want_full and current is None:
                    ambiguous_full = True
                    break
            if found:
                break
        if not found:
            break
        current = found[0]
        pos += found[1]
        best = (current, pos)
    return best


def find_in_text(text: str) -> RegionRef | None:
    """The first region named with its full suffix (XX市, XX区 …) in running text."""
    for match in re.finditer(r"[\u4e00-\u9fff]{2,12}?(?:省|市|区|县|自治州)", text):
        for start in range(match.start(), match.end() - 1):
            ref = lookup(text[start:match.end()])
            if ref is not None:
                return ref
    return None


def disambiguate_at_start(text: str, context: str) -> RegionRef | None:
    """A name at the start of ``text`` shared by several units (朝阳区, 鼓楼区): pick the one whose
    province or city is named in ``context`` (北京市 … / 长春 …), when exactly one is."""
    index = names_index()
    text = re.sub(r"^(?:中共|中国共产党)", "", text)
    for size in range(min(12, len(text)), 1, -1):
        candidates = index.get(text[:size])
        if not candidates or len(candidates) < 2:
            continue
        chosen = [c for c in candidates
                  if (c.city and c.city != c.name and c.city in context)
                  or (c.province and c.province != c.name and c.province in context)]
        if len({c.code for c in chosen}) == 1:
            return chosen[0]
        return None
    return None


# 简称 (one-character abbreviations) of the provincial units, as 文号 prefixes print them (苏政发, 桂政办发,
# 内政发, 云政发); 蒙/内 and 滇/云 are both in use.
PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省", "蒙": "内蒙古自治区",
    "内": "内蒙古自治区", "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省",
    "桂": "广西壮族自治区", "琼": "海南省", "川": "四川省", "黔": "贵州省", "滇": "云南省", "云": "云南省", "藏": "西藏自治区",
    "陕": "陕西省", "甘": "甘肃省", "青": "青海省", "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区",
}
# cities whose 文号 use a literary name rather than the first character of their own (甬政发 = 宁波, 穗府 = 广州)
CITY_ABBREVIATIONS = {"甬": "宁波市", "穗": "广州市", "榕": "福州市", "蓉": "成都市", "筑": "贵阳市", "邕": "南宁市",
                      "鹭": "厦门市", "莞": "东莞市", "并": "太原市"}


def region_of_doc_number(doc_number: str | None, level: str | None) -> RegionRef | None:
    """The issuing government a 文号 prefix names, given the issuer's level (read from the recipients):
    a province by its 简称 (苏政发 → 江苏省), a 直辖市 at either level (沪府办发), a city by its literary
    name (甬 → 宁波市) or by a first character no other prefecture-level unit shares (苏府办 → 苏州市).
    None when the level is unknown or the character is ambiguous (宁政发 is 宁夏 or 南京)."""
    head = (doc_number or "")[:1]
    if not head or level not in ("provincial", "municipal"):
        return None
    province = PROVINCE_ABBREVIATIONS.get(head)
    if province and (level == "provincial" or province in _MUNICIPALITIES):
        return lookup(province)
    if level != "municipal":
        return None
    if head in CITY_ABBREVIATIONS:
        return lookup(CITY_ABBREVIATIONS[head])
    cities = _cities_by_first_character().get(head, ())
    return cities[0] if len(cities) == 1 else None


_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})


@lru_cache(maxsize=1)
def _cities_by_first_character() -> dict[str, tuple[RegionRef, ...]]:
    out: dict[str, list[RegionRef]] = {}
    for ref in all_regions():
        if ref.level == "municipal":
            out.setdefault(ref.name[0], []).append(ref)
    return {key: tuple(value) for key, value in out.items()}
