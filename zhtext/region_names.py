"""Region names inside running text: the region a title or signature starts with, the first full name in a
passage, and which of several same-named districts a context means. Built on ``zhtext.regions``'s table."""

from __future__ import annotations

import re

from zhtext.regions import RegionRef, lookup, names_index

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
