"""The document's heading: its own title, the title of the covering notice (关于印发《…》的通知) that
issues it, and the genre that title ends with.

Headers are read line by line and in joins of up to three lines (titles are printed over several lines);
a covering notice fixes the policy title inside it, which is then looked up where it is printed alone so the
title keeps its printed form (issuer prefix, period, quotes).
"""

from __future__ import annotations

import re

from zhtext.normalize import squash, squash_matching
from zhtext.region_names import region_at_start
from zhtext.titles import DRAFTED_BY, fold_period

from .issuers import ORG_SUFFIX, is_org, org_line_tokens
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
_NOTICE_SEARCH = re.compile(  # inside a flattened line; 转发区科委制订的《…》: the drafter may come between
    rf"(?:(?P<issuer>[\u4e00-\u9fff]{{2,30}}{ORG_SUFFIX})\s?)?关于(?:印发|转发)(?:[^《》，,。；;\s]{{0,20}}?"
    r"《(?P<x>[^》]{2,100})》|(?P<bare>[^《》，,。；;:：\s•【】|]{4,80}?(?:" + "|".join(GENRES) + r")"
    r"(?:\([^()]{0,20}\))?))的通知"
)
# the document(s) a notice issues: 《A》已经…审议通过 / 现将《A》印发 / 制定了《A》。现印发给你们 / 《A》《B》已经…
_ISSUED_X = re.compile(r"(?:现将|现把|将)?(?P<xs>(?:《[^》]{2,120}》\s*[、和及与]?\s*){1,4})"
                       r"(?:已经|经|业经|印发|已|(?:[。，,]\s*)?现(?:予以?)?印发|(?:[。，,]\s*)?现转发)")
# a consultation on a draft: 关于对《X》征求意见的函 / 关于公开征求《X》意见的通知 (covers X only when X is printed)
_CONSULTATION = re.compile(r"^(?P<issuer>[^\s，,。：:；;]{2,40}?)?\s*关于(?:对)?(?:公开)?(?:征求)?《(?P<x>[^》]{4,120})》"
                           r"(?:公开)?(?:征求)?意见的(?:函|通知|公告)$")
_DRAFT_MARK = re.compile(r"\s*[(（][^()（）]*(?:征求意见稿|草案|送审稿|讨论稿)[^()（）]*[)）]\s*$")
_NEWS_X = re.compile(r"印发《(?P<x>[^》]{2,120})》")
# the last resort of a page without any header: its first sentences name the plan (…联合制定《X》，)
_LEAD_X = re.compile(r"(?:印发|制定|制订|出台|发布)了?《(?P<x>[^》]{2,120})》")

_NAV = re.compile(r">|>>|»|首页|当前位置|您所在的位置|栏目|专题专栏")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_NOT_A_HEADING = re.compile(r"[。；;！？!?]|\.\.\.|…|://|\.cn/|\.com|·")
_DOC_NO_IN_LINE = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,5}\s*号")
_DATE_OR_REMARK = re.compile(r"^(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[(（])")
_SITE_NAME = re.compile(r"(?:网|网站|门户|客户端|公众号|频道|专栏|政策库|数据库|详情)$")


def heading_key(text: str) -> str:
    """Comparison form of a title (in the matching form) as printed in different places: no quotes,
    〈〉 ≡ 《》 (a title nested in a notice title), a period with or without 年 ((2025-2027) ≡ (2025—2027年))."""
    return fold_period(squash_matching(text).translate(_QUOTES).replace("〈", "《").replace("〉", "》"))


def _heading_head_ok(line: str) -> bool:
    """Whether ``line`` can open a title printed over several lines: not a date, a (此件…) remark, a line
    holding a 文号 (a re-post headline 文号《标题》), a site or column name, or a short label (政策详情)."""
    line = line.strip()
    if _DATE_OR_REMARK.match(line) or _DOC_NO_IN_LINE.search(line) or _SITE_NAME.search(line):
        return False
    return len(line) > 4 or org_line_tokens(line) is not None or _is_region_name(line)


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
        if _NOT_A_HEADING.search(_strip_wrapping(cand[3])) or any(_match_notice(_strip_wrapping(ln)) for ln in lines[:-1]):
            continue  # a search snippet, or a headline that repeats the notice printed again below it
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
    found_consultation = _consultation(doc, limit)
    if found_consultation:
        return found_consultation
    searches = [m for m in _NOTICE_SEARCH.finditer(doc.m[:limit]) if m["x"] or _flattened_heading(doc.m, m)]
    search = next((m for m in searches if m["issuer"] and is_org(m["issuer"])), searches[0] if searches else None)
    if search:
        return doc.cut(search.start(), search.end()), search["issuer"] or "", search["x"] or search["bare"]
    return None


def _flattened_heading(text: str, match: re.Match[str]) -> bool:
    """A notice title without book-title marks found inside a line is a heading only in a flattened page
    (a line far longer than any heading) and when it is not itself cited (《…的通知》, 根据…的通知)."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    long_line = (line_end if line_end >= 0 else len(text)) - line_start > 200
    cited = text[max(0, match.start() - 1):match.start()] == "《" or text[match.end():match.end() + 1] == "》"
    return long_line and not cited


def _consultation(doc: Doc, limit: int) -> tuple[str, str, str] | None:
    """A letter asking for comments on a draft covers the draft when the draft itself follows (its title
    printed as a line of its own further down); a consultation notice without the draft is the document."""
    for start, end in doc.line_spans:
        if start > limit:
            break
        line = _strip_wrapping(doc.m[start:end])
        match = _CONSULTATION.match(line)
        if not match or (match["issuer"] and not is_org(match["issuer"])):
            continue
        draft = _DRAFT_MARK.sub("", match["x"])
        core = heading_key(re.sub(r"[(（][^()（）]*[)）]", "", draft))
        for s2, e2 in doc.line_spans:
            if s2 <= end or s2 > limit + 2000:
                continue
            other = doc.m[s2:e2].strip()
            if not other.startswith("附件") and heading_key(re.sub(r"[(（][^()（）]*[)）]?", "", other)) == core:
                lead = len(doc.m[start:end]) - len(doc.m[start:end].lstrip())
                printed = _strip_wrapping(doc.cut(start + lead, end))
                return printed, (match["issuer"] or "").strip(), draft
    return None


def _title_like(text: str) -> bool:
    text = text.strip()
    return (7 <= len(text) <= 100 and not _SENTENCE_PUNCT.search(text) and not text.startswith("各")
            and not _NAV.search(text)
            and ":" not in text and "：" not in text and bool(_GENRE_END.search(text)))


def _printed_title(doc: Doc, x: str, limit: int) -> str | None:
    """The title line(s) as printed for policy title ``x`` (adds an issuer prefix, drops quote changes)."""
    key = heading_key(x)
    if not key:
        return None
    for _i, start, end, text in _candidate_strings(doc, limit + 400):
        cand = heading_key(text)
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
    if not sep or (head and not is_org(head.strip())):
        return None  # (a 印发 notice that drops the 的 of 关于…的实施方案 leaves no head: the same lookup)
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
        x = DRAFTED_BY.sub("", notice[2])
    if x is None:
        x = _issued_title(doc, limit)
    if x is None and fields.get("title"):
        x = fields["title"]
    if x is None:
        for _i, start, end, text in _candidate_strings(doc, limit, max_join=3):
            if _title_like(text) and not org_line_tokens(text) and (
                    "\n" not in doc.m[start:end].strip() or _heading_head_ok(doc.m[start:end].strip().split("\n")[0])):
                start = _issuer_line_above(doc, start) if text.startswith("关于") else start
                return re.sub(r"\n\s*", "", doc.cut(start, end)).strip()
        # a header flattened into one line (PDF dumps): "… 国务院办公厅 关于…的通知 国办发〔…〕号 各省…"
        inline = _INLINE_TITLE.search(doc.m[:600])
        if inline and (inline["issuer"] is None or is_org(inline["issuer"])):
            return doc.cut(inline.start(), inline.end()).strip()
        lead = _LEAD_X.search(doc.m[:min(limit, 300)])
        if lead is None:
            return None
        x = lead["x"]
    # a forwarded department's heading wins over the notice's paraphrase; a bare 关于… title is first looked
    # up with its issuer line above it
    lookups = (_printed_title, _forwarded_heading) if x.startswith("关于") else (_forwarded_heading, _printed_title)
    printed = next((found for lookup in lookups if (found := lookup(doc, x, limit))), None)
    if printed:
        return printed
    # cut x from the original when it occurs verbatim in the matching form
    pos = doc.m.find(x)
    return doc.cut(pos, pos + len(x)) if pos >= 0 else x


def _issued_title(doc: Doc, limit: int) -> str | None:
    """The title a notice without a title line issues (现将《X》印发给你们); of several issued together
    (《A》《B》已经…审议通过) the one whose text follows — printed as a line of its own — else the first."""
    match = _ISSUED_X.search(doc.m[:limit]) or _NEWS_X.search(doc.m[:limit])
    if match is None:
        return None
    if "xs" not in match.groupdict():
        return match["x"]
    titles = re.findall(r"《([^》]{2,120})》", match["xs"])
    return next((t for t in titles if _printed_title(doc, t, limit)), titles[0])


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
