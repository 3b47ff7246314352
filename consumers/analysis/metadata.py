"""Document metadata: title, covering-notice title, 文号, issuers, dates, planning period, genre.

Rules follow the labeled set's conventions (tests/fixtures/analysis/README.md): the *signature block*
(issuer lines directly above a 年月日 date line) is the strongest evidence for issuers and the 成文 date;
the 信息公开 table's 发文机关 / 成文日期 come next; web fields such as 发布机构 or 发布日期 name the
publisher and the web date and are never taken as issuer or issue date.

Kept whole: the fields are read together in one pass over the text (the title fixes where the notice
starts, the signature block fixes issuers and date, the 文号 sits between them), and each rule leans
on what the others found; the issuer parsing itself lives in ``issuers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zhtext.docnumbers import doc_number_pattern, normalize_doc_number
from zhtext.normalize import squash
from zhtext.region_names import region_at_start

from .dates import DATE_CN, DATE_CN_NUMERAL, add_years_minus_day, parse_date
from .issuers import (
    ORG_SUFFIX,
    find_signature,
    headline_issuers,
    is_national,
    is_org,
    issuer_part,
    org_line_tokens,
    split_joint,
)
from .text import Doc

GENRES = ("行动计划", "行动方案", "实施意见", "实施方案", "若干措施", "政策措施", "指导意见", "意见", "规划",
          "纲要", "计划", "方案", "措施", "紧急通知", "通知", "实施办法", "办法", "决定", "决议", "函", "细则",
          "规定", "条例", "指南", "指引", "批复", "公告", "通告", "要点", "清单", "解读", "报告", "政策",
          # title endings of other genres (→ 其他) that a 印发 notice covers just the same
          "预案", "规则", "制度", "导则", "规程", "目录", "名录")
_GENRE_END = re.compile(r"(?:" + "|".join(GENRES) + r")(?:\s*[(（][^()（）]{0,20}[)）])?$")
_SENTENCE_PUNCT = re.compile(r"[，,。；;！？!?]")


def ends_with_genre(text: str) -> bool:
    """True when ``text`` ends like a document title (…的通知, …行动方案, …办法（试行）)."""
    return bool(_GENRE_END.search(text.strip()))


_NOTICE = re.compile(
    r"^(?P<issuer>[^\s，,。：:；;|<>]{2,40}?(?:\s+[^\s，,。：:；;|<>]{2,40}?)*)?\s*"
    r"关于(?P<verb>印发|转发|颁布|颁发|发布|公布|下发|批转)?(?P<x>.+?)的(?:通知|决定)$"
)
_FORWARD = re.compile(  # 国务院办公厅转发国家发展改革委关于…意见的通知 / 长春市人民政府办公厅印发…计划的通知
    r"^(?P<issuer>[^\s，,。：:；;|<>]{2,40}?(?:\s+[^\s，,。：:；;|<>]{2,40}?)*)\s*(?P<verb>转发|批转|印发)"
    r"(?P<x>[^《》]{4,}?|《[^》]{4,}》)的通知$"
)
_NOTICE_SEARCH = re.compile(
    rf"(?:(?P<issuer>[\u4e00-\u9fff]{{2,30}}{ORG_SUFFIX})\s?)?关于(?:印发|转发)《(?P<x>[^》]{{2,100}})》的通知"
)
_ISSUED_X = re.compile(r"(?:现将|现把|将)?《(?P<x>[^》]{2,120})》(?:已经|经|业经|印发|已|现印发|现予印发)")
_NEWS_X = re.compile(r"印发《(?P<x>[^》]{2,120})》")
_BODY_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|第一章|第一条|第一部分)")
_PERIOD = re.compile(
    r"(?P<a>(?:19|20)\d{2})\s*年?\s*(?:[-—–~～－]+|至|到)\s*(?P<b>(?:19|20)\d{2})\s*年?"
)
_PERIOD_BODY = re.compile(r"(?:规划期|实施期限|实施期|规划期限|执行期限|执行期|行动期限|期限)\s*(?:为|是|:|：)?\s*"
                          r"(?:自\s*)?(?:" + _PERIOD.pattern + r"|(?P<a2>(?:19|20)\d{2})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
                          r"\s*(?:[-—–~～－]+|至|到)\s*(?P<b2>(?:19|20)\d{2})\s*年)")
_DOC_NO_TRIM = re.compile(r"^.*?(?:文号|字号|编号|根据|按照|依据|贯彻|落实|印发|转发|通知|意见|方案|规划|计划|号)")
_NAV = re.compile(r">|>>|»|首页|当前位置|您所在的位置|栏目|专题专栏")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")


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


def _candidate_strings(doc: Doc, limit: int, max_join: int = 3) -> list[tuple[int, int, int, str]]:
    """(line index, start, end, joined text) for single header lines and joins of up to 3 lines."""
    spans = [(s, e) for s, e in doc.line_spans if s < limit and doc.m[s:e].strip()]
    out = []
    for i in range(len(spans)):
        parts: list[str] = []
        for k in range(max_join):
            if i + k >= len(spans):
                break
            parts.append(doc.m[spans[i + k][0]:spans[i + k][1]].strip())
            out.append((i, spans[i][0], spans[i + k][1], "".join(parts) if k else parts[0]))
    return out


def _strip_wrapping(text: str) -> str:
    text = text.strip().rstrip("。.")
    if text.startswith("《") and text.endswith("》"):
        text = text[1:-1]
    return text.strip()


def _looks_like_notice(match: re.Match[str]) -> bool:
    x = match["x"]
    if match["verb"] is None and not re.fullmatch(r"\s*《[^《》]+》\s*", x):
        # without 印发/转发 only 关于《X》的通知 covers X; 关于公开征求《X》意见的通知 or 关于做好《X》实施工作的
        # 通知 is a notice in its own right that cites X
        return False
    if match["issuer"] and not all(is_org(t) for t in match["issuer"].split()):
        return False
    return bool(_GENRE_END.search(_strip_wrapping(x)) or "《" in x)


def _x_of_notice(x: str) -> str:
    x = x.strip()
    if "《" in x and "》" in x:  # 转发省发展改革委《…》 / 印发《A》和《B》: the first title in 书名号
        x = x[x.index("《"):]
        depth, out = 0, []
        for ch in x[1:]:
            if ch == "》" and depth == 0:
                break
            depth += {"《": 1, "》": -1}.get(ch, 0)
            out.append(ch)
        return "".join(out).strip()
    return x


def _match_notice(text: str) -> tuple[str, str] | None:
    """(issuer part, policy title) when ``text`` is a covering notice's title."""
    match = _NOTICE.match(text)
    if match and _looks_like_notice(match):
        return (match["issuer"] or "").strip(), _x_of_notice(match["x"])
    match = _FORWARD.match(text)
    if match and all(is_org(t) for t in match["issuer"].split()):
        x = _strip_wrapping(match["x"])
        if _GENRE_END.search(x):
            return match["issuer"].strip(), x
    return None


def find_notice(doc: Doc, limit: int, fields: dict[str, str]) -> tuple[str, str, str] | None:
    """(notice title as printed, its issuer part, the policy title inside it)."""
    best: tuple[int, int, int, str] | None = None
    for cand in _candidate_strings(doc, limit):
        lines = [ln.strip() for ln in doc.m[cand[1]:cand[2]].split("\n") if ln.strip()]
        if any("关于" not in ln and org_line_tokens(ln) is None for ln in lines[:-1]
               if "关于" not in "".join(lines[: lines.index(ln) + 1])):
            continue  # lines joined in front of the notice must be issuer names
        if _match_notice(_strip_wrapping(cand[3])) and (
                best is None or cand[0] < best[0] or (cand[0] == best[0] and cand[2] > best[2])):
            best = cand
        if best is not None and cand[0] > best[0]:
            break
    if best is not None:
        text = doc.cut(best[1], best[2])
        lead = len(doc.m[best[1]:best[2]]) - len(doc.m[best[1]:best[2]].lstrip())
        printed = _strip_wrapping(re.sub(r"\n\s*", "", text[lead:] if lead else text))
        found = _match_notice(_strip_wrapping(re.sub(r"\n\s*", "", doc.m[best[1]:best[2]])))
        if found:
            return printed, found[0], found[1]
    title_field = _strip_wrapping(fields.get("title", ""))
    found = _match_notice(title_field) if title_field else None
    if found:
        return title_field, found[0], found[1]
    search = _NOTICE_SEARCH.search(doc.m[:limit])
    if search:
        printed = doc.cut(search.start(), search.end())
        return printed, search["issuer"] or "", search["x"]
    return None


def _title_like(text: str) -> bool:
    text = text.strip()
    return (7 <= len(text) <= 100 and not _SENTENCE_PUNCT.search(text) and not text.startswith("各")
            and not _NAV.search(text)
            and ":" not in text and "：" not in text and bool(_GENRE_END.search(text)))


def _printed_title(doc: Doc, x: str, limit: int) -> str | None:
    """The title line(s) as printed for policy title ``x`` (adds an issuer prefix, drops quote changes)."""
    key = squash(x).translate(_QUOTES)
    if not key:
        return None
    for _i, start, end, text in _candidate_strings(doc, limit + 400):
        cand = squash(text).translate(_QUOTES)
        prefix = cand[: len(cand) - len(key)]
        if cand.startswith(key) and re.fullmatch(r"\((?:19|20)\d{2}[-至](?:19|20)\d{2}年?\)", cand[len(key):]):
            # the notice names the plan without its period; the title line prints it
            printed = re.sub(r"\n\s*", "", doc.cut(start, end)).strip()
            return _strip_wrapping(printed)
        if cand == key or (cand.endswith(key) and len(prefix) <= 16 and not cand.startswith("关于")
                           and (is_org(prefix) or _is_region_name(prefix))):
            printed = re.sub(r"\n\s*", "", doc.cut(start, end)).strip()
            return _strip_wrapping(printed)
    return None


def _loose(text: str) -> str:
    """Comparison form that ignores 的 and quotes: notice titles drop 的 (转发…关于加快…实施意见的通知)."""
    return squash(text).translate(_QUOTES).replace("的", "")


def _forwarded_heading(doc: Doc, x: str, limit: int) -> str | None:
    """A forwarded document (转发 X部门关于…意见的通知) printed under its own heading line (关于…的意见, the
    department on the next line): that heading is its title as printed, not the notice's paraphrase."""
    head, sep, rest = x.partition("关于")
    if not sep or not head or not is_org(head.strip()):
        return None
    key = _loose(sep + rest)
    for start, end in doc.line_spans:
        if start > limit + 400:
            break
        line = doc.m[start:end].strip()
        if line.startswith("关于") and _loose(line) == key:
            lead = len(doc.m[start:end]) - len(doc.m[start:end].lstrip())
            return _strip_wrapping(doc.cut(start + lead, start + lead + len(line)))
    return None


def _issuer_line_above(doc: Doc, start: int) -> int:
    """Start of the issuer line printed above a headline's 关于… line (中共X区委 X区人民政府 / 关于…的意见),
    so the standalone document's title keeps its issuer prefix; ``start`` when there is none."""
    above = [(s, e) for s, e in doc.line_spans if e < start and doc.m[s:e].strip()]
    if above and org_line_tokens(doc.m[above[-1][0]:above[-1][1]]):
        s, e = above[-1]
        return s + len(doc.m[s:e]) - len(doc.m[s:e].lstrip())
    return start


def _is_region_name(text: str) -> bool:
    found = region_at_start(text)
    return found is not None and found[1] == len(text)


_INLINE_TITLE = re.compile(
    rf"(?:(?P<issuer>[\u4e00-\u9fff]{{2,30}}{ORG_SUFFIX})\s?)?关于[^，,。；;:：\s]{{2,80}}?"
    r"(?:" + "|".join(GENRES) + r")(?=\s|$)"
)


_TRAILING_NUMBER = re.compile(r"\s*[(（]\s*[\u4e00-\u9fffA-Za-z]{1,14}\s*[〔\[［(（?]?\s*(?:19|20)\d{2}\s*[〕\]］)）?]?"
                              r"\s*\d{1,5}\s*[号號]\s*[)）]\s*$")


def find_title(doc: Doc, limit: int, notice: tuple[str, str, str] | None, fields: dict[str, str]) -> str | None:
    """The policy's own title; a 文号 printed in parentheses after it on the same line is not part of it."""
    title = _find_title(doc, limit, notice, fields)
    return _TRAILING_NUMBER.sub("", title) if title else title


def _find_title(doc: Doc, limit: int, notice: tuple[str, str, str] | None, fields: dict[str, str]) -> str | None:
    x: str | None = None
    if notice:
        x = notice[2]
    if x is None:
        match = _ISSUED_X.search(doc.m[:limit]) or _NEWS_X.search(doc.m[:limit])
        if match:
            x = match["x"]
    if x is None and fields.get("title"):
        x = fields["title"]
    if x is None:
        for _i, start, end, text in _candidate_strings(doc, limit, max_join=3):
            if _title_like(text) and not org_line_tokens(text):
                start = _issuer_line_above(doc, start) if text.startswith("关于") else start
                return re.sub(r"\n\s*", "", doc.cut(start, end)).strip()
        # a header flattened into one line (PDF dumps): "… 国务院办公厅 关于…的通知 国办发〔…〕号 各省…"
        inline = _INLINE_TITLE.search(doc.m[:600])
        if inline and (inline["issuer"] is None or is_org(inline["issuer"])):
            return doc.cut(inline.start(), inline.end()).strip()
        return None
    printed = _forwarded_heading(doc, x, limit) or _printed_title(doc, x, limit)
    if printed:
        return printed
    # cut x from the original when it occurs verbatim in the matching form
    pos = doc.m.find(x)
    return doc.cut(pos, pos + len(x)) if pos >= 0 else x


_CITING = re.compile(r"根据|按照|依据|贯彻|落实|参照|转发|精神|要求")


def _own_number_position(text: str, start: int, end: int) -> bool:
    """A document's own 文号 stands alone on a line, opens a line, follows its title (…的通知 国发〔…〕号)
    or sits in parentheses after it; a 文号 inside a sentence that cites (根据…精神) belongs to another."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:start].strip(" (（【[")
    after = text[end:line_end].strip(" )）】]:：")
    if _CITING.search(before):
        return False
    return (not before or len(text[line_start:line_end].strip()) <= 40 or bool(_GENRE_END.search(before))
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


# The genres of the labeling convention, longest first; a title ending in anything else is 其他 — the
# convention matches the end of the title (指导意见 → 意见, 实施办法 → 办法, 紧急通知 → 通知), so 工作方案,
# 实施细则, 工作计划 or a bare 方案 / 计划 are not promoted to a listed genre. 若干政策 is the one synonym
# kept (→ 政策措施, as labeled in composed/c10).
_GENRE_ENDINGS = (("规划纲要", "规划"), ("行动计划", "行动计划"), ("行动方案", "行动方案"), ("实施意见", "实施意见"),
                  ("实施方案", "实施方案"), ("若干措施", "若干措施"), ("政策措施", "政策措施"), ("若干政策", "政策措施"),
                  ("意见", "意见"),
                  ("规划", "规划"), ("通知", "通知"), ("办法", "办法"), ("决定", "决定"))


def doc_type_of(title: str | None) -> str | None:
    """The genre named at the end of the policy's own title (a trailing period in parentheses ignored)."""
    if not title:
        return None
    core = re.sub(r"[(（][^()（）]*[)）]\s*$", "", squash(title).translate(_QUOTES)).rstrip("》")
    for ending, genre in _GENRE_ENDINGS:
        if core.endswith(ending):
            return genre
    return "其他"


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
    meta.issuers = issuers
    header_dates = [iso for offset, iso in plain_dates if offset < limit + 200]
    meta.issue_date = sig_date or parse_date(fields.get("issue_date", "")) or (header_dates[0] if header_dates else None)
    meta.publish_date = parse_date(fields.get("publish_date", "")) or parse_date(hints.get("list_date", ""))
    meta.effective_date, meta.expiry_date = _dates_in_text(doc.m, meta.issue_date)
    if fields.get("effective_date") and not meta.effective_date:
        meta.effective_date = parse_date(fields["effective_date"])
    meta.period = find_period(meta.title, doc.m)
    meta.doc_type = doc_type_of(meta.title)
    names = issuers or ([meta.title.split("关于")[0]] if meta.title and "关于" in meta.title else [])
    meta.is_national = is_national(names)
    return meta
