"""The recipients line (主送机关: 各市、县人民政府，省政府各部门：) — who a notice is addressed to tells the
level of the government that sends it, and often where it is.

A provincial government writes to 各市、县 and 省政府各部门 (自治区人民政府各组成部门), a city to 各县(市)、区
and 市政府各部门, a district or county to 各镇、街道 and 区政府各部门, the State Council or a ministry to 各省、
自治区、直辖市. Used only when the document names its issuer nowhere else (a re-post that starts at the 文号
or at the recipients): with the 文号 prefix it places the document (苏政发 + provincial → 江苏省), and a
place named among the recipients (各市(含定州、辛集市)人民政府) does the same.
"""

from __future__ import annotations

import re

from zhtext.region_names import find_in_text, region_of_doc_number
from zhtext.regions import RegionRef, lookup

from .text import Doc

_LINE = re.compile(r"(?:^|\n|\s)(各[^。：:\n]{2,200}?)[：:]")
_NATIONAL = re.compile(r"各省、自治区、直辖市|各省\s*[(（]\s*区、市\s*[)）]|各省级")
_PROVINCIAL = re.compile(r"省政府各|省人民政府各|省各|省直|自治区人民政府各|自治区各|自治区直|各地级以上市|各设区的?市|"
                         r"各盟市|各盟行政公署|各市\s*[(（]\s*[州地]|各市、\s*[州县]|各州、市|各市州")
_MUNICIPAL = re.compile(r"市政府各|市人民政府各|市各|市直|各县\s*[(（]\s*市|各区\s*[(（]\s*县|各区、\s*县|各县、\s*区|"
                        r"各县区|各旗县|各县\s*[(（]\s*市、\s*区|各区县")
_DISTRICT = re.compile(r"区政府各|县政府各|旗政府各|区直|县直|旗直|各乡镇|各镇|各街道|各苏木|各乡、镇")


def recipients(doc: Doc, limit: int) -> str | None:
    """The recipients line of the header (or of a flattened header), in the matching form."""
    match = _LINE.search(doc.m[: limit + 200])
    return match.group(1) if match else None


def sender_level(line: str | None) -> str | None:
    """national / provincial / municipal / district: the level of the government writing to ``line``."""
    if not line:
        return None
    for level, pattern in (("national", _NATIONAL), ("provincial", _PROVINCIAL), ("municipal", _MUNICIPAL),
                           ("district", _DISTRICT)):
        if pattern.search(line):
            return level
    return None


def sender_region(line: str | None, level: str | None, doc_number: str | None) -> RegionRef | None:
    """Where the sender is: named by the 文号 prefix at that level, or by a place among the recipients."""
    found = region_of_doc_number(doc_number, level)
    if found is not None or line is None or level not in ("provincial", "municipal"):
        return found
    named = find_in_text(line)
    if named is None:
        return None
    if level == "provincial":
        return lookup(named.province) if named.province else None
    return lookup(named.city, lookup(named.province or "")) if named.city and named.level == "district" else None
