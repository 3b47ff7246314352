"""Issuing bodies: organisation names, the signature block, joint issuers, national bodies.

The signature block — issuer lines directly above a 年月日 date line — is the strongest evidence for who
issued a document and when; the title prefix (国务院关于…) and a news headline (X印发《…》) come next.
"""

from __future__ import annotations

import re

from zhtext.normalize import matching_form, squash
from zhtext.region_names import region_at_start

from .dates import DATE_CN, DATE_CN_NUMERAL, parse_date
from .text import Doc

ORG_SUFFIX = (r"(?:中央|人民政府|政府|办公厅|办公室|委员会|常务委员会|管理委员会|管委会|领导小组|工作小组|小组|"
              r"委|局|厅|部|院|署|办|会|司|中心|公司|集团|处|银行|分行|支行|法院|检察院)")
_ORG_TOKEN = re.compile(rf"^(?:中共)?[\u4e00-\u9fff()（）]{{1,30}}{ORG_SUFFIX}$")
_DATE_LINE = re.compile(
    r"^[(（]?\s*(?:" + re.sub(r"\?P<\w+>", "", DATE_CN.pattern) + "|" + re.sub(r"\?P<\w+>", "", DATE_CN_NUMERAL.pattern)
    + r")\s*(?:[^()（）]{0,40}通过|印发|发布|签发)?\s*[)）]?$"
)
_ORG_THEN_DATE = re.compile(
    r"^(?P<orgs>[\u4e00-\u9fff()（）]{2,40}(?:\s+[\u4e00-\u9fff()（）]{2,40}){0,4})\s+(?P<date>"
    + re.sub(r"\?P<\w+>", "", DATE_CN.pattern) + "|" + re.sub(r"\?P<\w+>", "", DATE_CN_NUMERAL.pattern) + r")$"
)
_RECIPIENTS = re.compile(r"^各.{1,120}[:：]$|印发给你们|现予印发|现印发|请认真|请结合实际|请遵照")
# Central bodies: by prefix (国家…, 中国…), by national suffix (…部, …总局) with no local prefix (市场监管总局
# starts with 市 but 市场 is not 市), and the regulators usually signed by short name (证监会, 民航局 …).
_LOCAL_PREFIX = r"(?!省|区|县|州|市(?!场))"
NATIONAL = re.compile(r"^(?:国务院|中共中央|中央|全国|国家|最高人民|中国(?!共产党)|海关总署|中华人民共和国|共青团中央)|"
                      r"^(?:证监会|银保监会|银监会|保监会|民航局|外汇局|金融监管总局)$|"
                      rf"^{_LOCAL_PREFIX}[\u4e00-\u9fff]{{1,12}}(?:部|总局|总署)等[一二三四五六七八九十两\d]{{1,3}}个?(?:部门|部委)$|"
                      rf"^{_LOCAL_PREFIX}[\u4e00-\u9fff]{{1,12}}(?:部|总局|总署)(?:办公厅|[\u4e00-\u9fff]{{1,6}}司)?$")
_SENTENCE_PUNCT = re.compile(r"[，,。；;！？!?]")


_SEVERAL = re.compile(r"^[\u4e00-\u9fff]{2,20}等[一二三四五六七八九十两\d]{1,3}(?:个)?(?:部门|单位|部委)$")


def is_org(token: str) -> bool:
    """An issuing body's name: ends like an organisation (人民政府, 办公厅, 局, 部 …) or 科技部等六部门."""
    return (bool(_ORG_TOKEN.match(token)) or bool(_SEVERAL.match(token))) and not _SENTENCE_PUNCT.search(token)


_JOINT_START = re.compile(r"^(?:中共|中国共产党|共青团|国家|国务院|中央|全国)")
# a national body's local office is one body, not the national body plus a local one:
# 国家金融监督管理总局常州监管分局, 中国人民银行某某省分行, 国家税务总局某某市税务局, 某某海关
_LOCAL_OFFICE = re.compile(r"(?:监管分局|监管局|监管支局|分局|分行|支行|中心支行|营业管理部|税务局|调查总队|调查队|海关|"
                           r"管理局|监督局|监察局)$")


def _local_office_of(head: str, tail: str) -> bool:
    found = region_at_start(tail)
    return (bool(NATIONAL.match(head)) and found is not None and len(tail) - found[1] <= 6
            and bool(_LOCAL_OFFICE.search(tail)))


def split_joint(token: str) -> list[str]:
    """Joint issuers printed without a separator (中共成都市委办公厅成都市人民政府办公厅) → their names."""
    for match in re.finditer(ORG_SUFFIX, token):
        cut = match.end()
        head, tail = token[:cut], token[cut:]
        if len(head) < 3 or len(tail) < 3 or not is_org(head) or not is_org(tail):
            continue
        if _local_office_of(head, tail):
            return [token]
        if _JOINT_START.match(tail) or region_at_start(tail) is not None:
            return [head, *split_joint(tail)]
    return [token]


def _misplaced_space(first: str, second: str) -> list[str] | None:
    """Two signers whose separating space slipped into the second name (人力资源社会保障部住房 城乡建设部):
    re-cut the pair at the organisation ending nearest to the printed space."""
    joined = first + second
    cuts = [m.end() for m in re.finditer(ORG_SUFFIX, joined) if 3 <= m.end() <= len(joined) - 3]
    for cut in sorted(cuts, key=lambda c: abs(c - len(first))):
        if is_org(joined[:cut]) and is_org(joined[cut:]):
            return [joined[:cut], joined[cut:]]
    return None


# signers separated by spaces, 、 or — when laid out in a table — by the renderer's cell separator |
_SIGNERS_SPLIT = re.compile(r"[\s|]+|、")


def org_line_tokens(line: str) -> list[str] | None:
    """The issuer names on a signature line (several per line in joint documents), or None."""
    tokens = [t for t in _SIGNERS_SPLIT.split(line.strip()) if t]
    if not tokens or len(tokens) > 6:
        return None
    for i in range(len(tokens) - 1):
        if not is_org(tokens[i]) and not _SENTENCE_PUNCT.search(tokens[i]):
            repaired = _misplaced_space(tokens[i], tokens[i + 1])
            if repaired:
                tokens[i:i + 2] = repaired
    if not all(is_org(t) for t in tokens):
        return None
    return [part for t in tokens for part in split_joint(t)]


def _broken_name(above: str, below: str) -> list[str] | None:
    """A long name broken over two signature lines (中共某省委网络安全和 / 信息化委员会办公室): the line above
    ends with the start of a name (a place or 中共 …), the line below opens with its continuation."""
    upper = [t for t in _SIGNERS_SPLIT.split(above) if t]
    lower = [t for t in _SIGNERS_SPLIT.split(below) if t]
    if not upper or not lower or is_org(upper[-1]) or _SENTENCE_PUNCT.search(upper[-1]):
        return None
    if not (_JOINT_START.match(upper[-1]) or region_at_start(upper[-1])):
        return None
    if _JOINT_START.match(lower[0]) or region_at_start(lower[0]):
        return None
    return org_line_tokens(" ".join([*upper[:-1], upper[-1] + lower[0], *lower[1:]]))


def as_printed(printed: str, tokens: list[str]) -> list[str]:
    """``tokens`` (found in the matching form) cut from the printed line, so the names keep their script."""
    flat = re.sub(r"[\s|、]+", "", printed)
    if len(flat) != sum(len(t) for t in tokens):
        return tokens
    out, pos = [], 0
    for token in tokens:
        out.append(flat[pos:pos + len(token)])
        pos += len(token)
    return out


def _printed_line(doc: Doc, start: int, end: int) -> str:
    lead = len(doc.m[start:end]) - len(doc.m[start:end].lstrip())
    return doc.cut(start + lead, start + lead + len(doc.m[start:end].strip()))


def find_signature(doc: Doc) -> tuple[list[str], str | None, list[tuple[int, str]]]:
    """(issuers, issue date) from the signature block, plus undated-signature date lines as (offset, iso).

    A date line alone counts (as an issue date without issuer) only when it stands where a signature
    stands — after the recipients line or the 现将…印发 sentence — or in parentheses under a title
    (（2003年10月9日）, （…会议通过）); a bare date at the top of a page is usually the web date.
    """
    lines = [(s, e, doc.m[s:e].strip()) for s, e in doc.line_spans]
    plain: list[tuple[int, str]] = []
    seen_recipients = False
    for idx, (start, end, text) in enumerate(lines):
        if not text:
            continue
        if not _DATE_LINE.match(text):
            same_line = _ORG_THEN_DATE.match(text)
            tokens = org_line_tokens(same_line["orgs"]) if same_line else None
            if same_line and tokens and parse_date(same_line["date"]):
                lead = len(doc.m[start:end]) - len(doc.m[start:end].lstrip())
                printed = doc.cut(start + lead, start + lead + len(same_line["orgs"]))
                return as_printed(printed, tokens), parse_date(same_line["date"]), plain
            if _RECIPIENTS.search(text):
                seen_recipients = True
            continue
        iso = parse_date(text)
        if iso is None:
            continue
        issuers: list[str] = []
        below: tuple[int, int] | None = None  # (issuers taken from the line below, its index)
        j = idx - 1
        while j >= 0 and len(issuers) < 30:
            above = lines[j][2]
            if not above:
                j -= 1
                continue
            tokens = org_line_tokens(above)
            printed = _printed_line(doc, lines[j][0], lines[j][1])
            if tokens is None and below is not None:
                taken, k = below
                tokens = _broken_name(above, lines[k][2])
                if tokens is not None:
                    issuers = issuers[taken:]
                    printed += _printed_line(doc, lines[k][0], lines[k][1])
            if tokens is None:
                break
            issuers = as_printed(printed, tokens) + issuers
            below = (len(tokens), j)
            j -= 1
        if issuers:
            return issuers, iso, plain
        if seen_recipients or text.startswith(("(", "（")):
            plain.append((start, iso))
    return [], None, plain


def issuer_part(text: str | None) -> list[str]:
    """Issuer names printed before 关于 in a title (国务院关于… / 中共X委办公厅 X人民政府办公厅关于…)."""
    if not text:
        return []
    simplified = matching_form(text)
    idx = simplified.find("关于")
    if idx <= 0:
        return []
    head = text[:idx] if len(simplified) == len(text) else simplified[:idx]
    tokens = [t for t in re.split(r"\s+|、", head) if t]
    if tokens and all(is_org(matching_form(t)) for t in tokens):
        return [part for t in tokens for part in split_joint(t)]
    return []


# a sentence opening (现将X印发《…》转发给你们) is not a headline naming the issuer
_HEADLINE = re.compile(r"^(?!现将|经|根据|按照|为)(?P<orgs>[\u4e00-\u9fff]{2,30}(?:[\s、][\u4e00-\u9fff]{2,30}){0,5})\s*(?:联合)?印发《")


# a wire story's lead (after 电 / 本网讯): 新华社北京3月18日电 经国务院同意，国务院办公厅日前印发《…》
_LEAD = re.compile(r"(?:电|讯)\s*(?:[^，,。《]{0,20}[，,])?\s*(?P<orgs>[\u4e00-\u9fff]{2,30}?(?:[\s、][\u4e00-\u9fff]{2,30}?){0,5})"
                   r"(?:日前|近日|近期)?(?:联合)?印发了?《")


def headline_issuers(doc: Doc, limit: int) -> list[str]:
    """国务院印发《…》 / 中共中央 国务院印发《…》: a news headline (or a wire story's lead) naming the issuers."""
    for start, end in doc.line_spans[:8]:
        if start > limit:
            break
        match = _HEADLINE.match(doc.m[start:end].strip())
        if match is None:
            lead = _LEAD.search(doc.m[start:end].strip())
            if lead and org_line_tokens(lead["orgs"]):
                return org_line_tokens(lead["orgs"]) or []
        if match:
            tokens = org_line_tokens(match["orgs"])
            if tokens:
                printed = doc.cut(start, end).strip()[: len(match["orgs"])]
                return as_printed(printed, tokens)
    return []




def is_national(names: list[str]) -> bool:
    """国务院, its ministries (…部, …总局) and central party bodies — and no place name in front of any issuer
    (a joint national document may add a body the pattern does not know, such as a central SOE)."""
    keys = [squash(n) for n in names]
    return (any(NATIONAL.match(k) for k in keys)
            and all(region_at_start(k) is None for k in keys))
