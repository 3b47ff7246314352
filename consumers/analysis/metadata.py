"""Document metadata: title, covering-notice title, 文号, issuers, dates, planning period, genre — assembled.

Rules follow the labeled set's conventions (tests/fixtures/analysis/README.md): the *signature block*
(issuer lines directly above a 年月日 date line) is the strongest evidence for issuers and the 成文 date;
the 信息公开 table's 发文机关 / 成文日期 come next; web fields such as 发布机构 or 发布日期 name the
publisher and the web date and are never taken as issuer or issue date.

Kept whole: the fields are read together in one pass over the text (the title fixes where the notice
starts, the signature block fixes issuers and date, the 文号 sits between them), and each rule leans
on what the others found; the heading (title, notice title, genre) is read in ``heading``, the issuers in
``issuers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from zhtext.docnumbers import doc_number_pattern, normalize_doc_number
from zhtext.normalize import squash

from .dates import DATE_CN, DATE_CN_NUMERAL, add_years_minus_day, parse_date
from .heading import doc_type_of, ends_with_genre, find_notice, find_title
from .issuers import (
    ORG_SUFFIX,
    find_signature,
    headline_issuers,
    is_national,
    issuer_part,
    org_line_tokens,
    split_joint,
)
from .text import Doc

_BODY_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|第一章|第一条|第一部分)")
_PERIOD = re.compile(
    r"(?P<a>(?:19|20)\d{2})\s*年?\s*(?:[-—–~～－]+|至|到)\s*(?P<b>(?:19|20)\d{2})\s*年?"
)
_PERIOD_BODY = re.compile(r"(?:规划期|实施期限|实施期|规划期限|执行期限|执行期|行动期限|期限)\s*(?:为|是|:|：)?\s*"
                          r"(?:自\s*)?(?:" + _PERIOD.pattern + r"|(?P<a2>(?:19|20)\d{2})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
                          r"\s*(?:[-—–~～－]+|至|到)\s*(?P<b2>(?:19|20)\d{2})\s*年)")
_DOC_NO_TRIM = re.compile(r"^.*?(?:文号|字号|编号|根据|按照|依据|贯彻|落实|印发|转发|通知|意见|方案|规划|计划|号)")


@dataclass
class Metadata:
    title: str | None = None
    notice_title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    issue_date: str | None = None
    publish_date: str | None = None
    effective_date: str | None = None
    expiry_date: str | None = None
    period: dict[str, int] | None = None
    doc_type: str | None = None
    is_national: bool = False


def body_start(doc: Doc) -> int:
    """Offset where the policy body starts (first 一、 / 第一章 line), bounding the header region."""
    for start, end in doc.line_spans:
        if _BODY_START.match(doc.m[start:end]):
            return start
    return min(len(doc.m), 3000)



_CITING = re.compile(r"根据|按照|依据|贯彻|落实|参照|转发|精神|要求")
# a flattened header: the 文号 directly before the notice title (… 某府办发〔2017〕36号 某区人民政府办公室 关于…)
_NOTICE_AFTER = re.compile(rf"^(?:[\u4e00-\u9fff]{{2,40}}?{ORG_SUFFIX}\s*)*关于")


def _own_number_position(text: str, start: int, end: int) -> bool:
    """A document's own 文号 stands alone on a line, opens a line, follows its title (…的通知 国发〔…〕号)
    or sits in parentheses after it; a 文号 inside a sentence that cites (根据…精神) belongs to another."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:start].strip(" (（【[")
    after = text[end:line_end].strip(" )）】]:：")
    if _NOTICE_AFTER.match(after):
        return True
    if _CITING.search(before):
        return False
    return (not before or len(text[line_start:line_end].strip()) <= 40 or ends_with_genre(before)
            or not after or after.startswith("《"))


def find_doc_number(doc: Doc, limit: int, fields: dict[str, str]) -> str | None:
    if fields.get("doc_number"):
        found = normalize_doc_number(fields["doc_number"])
        if found:
            return found
    for match in doc_number_pattern().finditer(doc.m[: max(limit, 300)]):
        if not (match["open"] or match["close"]):
            continue
        before = doc.m[max(0, match.start() - 3):match.start()].replace(" ", "")
        if before.endswith(("》", "》(", "》（")):
            continue
        prefix = _DOC_NO_TRIM.sub("", match["prefix"]) or match["prefix"]
        if not re.fullmatch(r"[\u4e00-\u9fff]{1,12}", prefix):
            continue
        if not _own_number_position(doc.m, match.end("prefix") - len(prefix), match.end()):
            continue
        # keep the printed script (國發 … 號) while normalising brackets and spacing
        printed = doc.cut(match.end("prefix") - len(prefix), match.end("prefix"))
        hao = doc.cut(match.start("hao"), match.end("hao"))
        return f"{printed}〔{match['year']}〕{int(match['num'])}{hao}"
    return None


def find_period(title: str | None, text: str) -> dict[str, int] | None:
    for source, pattern in ((squash(title) if title else "", _PERIOD), (text[:6000], _PERIOD_BODY)):
        match = pattern.search(source)
        if match:
            a = int(match["a"] or match.groupdict().get("a2") or 0)
            b = int(match["b"] or match.groupdict().get("b2") or 0)
            if a < b <= a + 20:
                return {"start": a, "end": b}
    return None



_ANY_DATE = "(?:" + re.sub(r"\?P<\w+>", "", DATE_CN.pattern) + "|" + re.sub(r"\?P<\w+>", "", DATE_CN_NUMERAL.pattern) + ")"
_IN_FORCE = r"(?:施行|实施|执行|生效|试行|有效)"
# 自A起至B止施行 / 有效期为A至B / 执行期限自A至B: a validity window gives both dates
_WINDOW = re.compile(
    rf"(?:有效期|执行期|施行期|执行期限|有效期限)\s*(?:为|是|:|：)?\s*(?:自|从)?\s*(?P<a>{_ANY_DATE})\s*起?\s*"
    rf"(?:至|到|—|-|~)\s*(?P<b>{_ANY_DATE})\s*止?"
    rf"|(?:自|从)\s*(?P<c>{_ANY_DATE})\s*起?\s*(?:至|到)\s*(?P<d>{_ANY_DATE})\s*止?\s*{_IN_FORCE}"
)
_FROM = re.compile(rf"自\s*({_ANY_DATE})\s*起\s*(?:施行|实施|执行|生效|试行)")
_UNTIL = re.compile(rf"有效期(?:至|到|截至|截止到?)\s*({_ANY_DATE}|(?:19|20)\d{{2}}\s*年\s*(?:底|末))")
_YEARS = re.compile(r"有效期(?:为)?\s*([1-9一二两三四五六七八九十])\s*年")


def _dates_in_text(text: str, issue_date: str | None) -> tuple[str | None, str | None]:
    """Effective and expiry dates from the 施行 / 有效期 clauses (自…起施行, 有效期至…, 有效期N年, 自…起至…止)."""
    effective = expiry = None
    window = _WINDOW.search(text)
    if window:
        effective = parse_date(window["a"] or window["c"])
        expiry = parse_date(window["b"] or window["d"])
        if effective and expiry and expiry > effective:
            return effective, expiry
        effective = expiry = None
    match = _FROM.search(text)
    if match:
        effective = parse_date(match.group(1))
    elif re.search(r"自(?:印发|发布|公布)之日起(?:施行|实施|执行|生效|试行)", text):
        effective = issue_date
    match = _UNTIL.search(text)
    if match:
        year_end = re.fullmatch(r"((?:19|20)\d{2})\s*年\s*[底末]", match.group(1))
        expiry = f"{year_end.group(1)}-12-31" if year_end else parse_date(match.group(1))
    else:
        match = _YEARS.search(text)
        if match and effective:
            digit = match.group(1).replace("两", "二")
            years = int(digit) if digit.isdigit() else "一二三四五六七八九十".index(digit) + 1
            expiry = add_years_minus_day(effective, years)
    return effective, expiry


# a flattened page (a PDF or database dump on one line): the date right after the sentence that issues
# the document (…现印发给你们，请认真组织实施。 二○一一年九月十三日 …) is where the signature date stands
# (the signers may stand between: …请认真贯彻落实。江苏省人民政府 2024年8月12日 …)
_INLINE_SIGNATURE_DATE = re.compile(rf"(?:给你们|执行|落实|实施|遵照|办理)[^。\n]{{0,30}}。\s*"
                                    rf"(?P<orgs>(?:[\u4e00-\u9fff]{{2,30}}?{ORG_SUFFIX}\s*){{0,6}})(?P<date>{_ANY_DATE})")
_DATE_ONLY_LINE = re.compile(rf"^\s*{_ANY_DATE}\s*$")


def _date_under_number(doc: Doc, doc_number: str | None, limit: int) -> str | None:
    """A date line printed directly under the document's own 文号 line in the header (title / 文号 / date,
    as gazettes and Wikisource print it)."""
    if not doc_number:
        return None
    key = squash(doc_number)
    spans = [(s, e) for s, e in doc.line_spans if s < limit and doc.m[s:e].strip()]
    for (start, end), following in pairwise(spans):
        if key in squash(doc.m[start:end]) and len(doc.m[start:end].strip()) <= 40:
            line = doc.m[following[0]:following[1]]
            return parse_date(line) if _DATE_ONLY_LINE.match(line) else None
    return None


# a local office signed by its level only, no place name: 市府办, 县政府办公室, 区委办, 市人民政府
_ABBREVIATED_ISSUER = re.compile(r"^(?:省|市|县|区|州|旗|盟)(?:人民政府|政府|府|委)?(?:办公厅|办公室|办)?$")


def extract_metadata(doc: Doc, fields: dict[str, str], hints: dict[str, str] | None = None) -> Metadata:
    hints = hints or {}
    limit = body_start(doc)
    meta = Metadata()
    notice = find_notice(doc, limit, fields)
    if notice:
        meta.notice_title = notice[0]
    meta.title = find_title(doc, limit, notice, fields) or hints.get("list_title") or None
    meta.doc_number = find_doc_number(doc, limit, fields)
    sig_issuers, sig_date, plain_dates = find_signature(doc)
    # issuers: signature, then the notice's or the document's own title, then the 发文机关 field
    issuers = sig_issuers
    if issuers and all(_ABBREVIATED_ISSUER.match(squash(i)) for i in issuers):
        # 市府办 / 县政府 in the signature: the title prints the same office's full name
        titled = ([part for t in re.split(r"\s+|、", notice[1]) if t for part in split_joint(t)] if notice
                  else issuer_part(meta.title))
        if len(titled) == len(issuers):
            issuers = titled
    if not issuers and notice:
        issuers = [part for t in re.split(r"\s+|、", notice[1]) if t for part in split_joint(t)]
    if not issuers:
        issuers = issuer_part(meta.title)
    if not issuers and fields.get("issuer"):
        issuers = [t for t in re.split(r"\s+|、|;|；", fields["issuer"]) if t]
    if not issuers:
        issuers = headline_issuers(doc, limit)
    inline = _INLINE_SIGNATURE_DATE.search(doc.m[:limit + 400]) if not sig_date else None
    if not issuers and inline and inline["orgs"].strip():
        issuers = org_line_tokens(inline["orgs"]) or []
    meta.issuers = issuers
    header_dates = [iso for offset, iso in plain_dates if offset < limit + 200]
    meta.issue_date = (sig_date or (parse_date(inline["date"]) if inline else None)
                       or parse_date(fields.get("issue_date", "")) or (header_dates[0] if header_dates else None)
                       or _date_under_number(doc, meta.doc_number, limit))
    meta.publish_date = parse_date(fields.get("publish_date", "")) or parse_date(hints.get("list_date", ""))
    meta.effective_date, meta.expiry_date = _dates_in_text(doc.m, meta.issue_date)
    if fields.get("effective_date") and not meta.effective_date:
        meta.effective_date = parse_date(fields["effective_date"])
    meta.period = find_period(meta.title, doc.m)
    meta.doc_type = doc_type_of(meta.title)
    names = issuers or ([meta.title.split("关于")[0]] if meta.title and "关于" in meta.title else [])
    meta.is_national = is_national(names)
    return meta
