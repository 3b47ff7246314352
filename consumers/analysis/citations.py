"""Documents a policy cites: titles in 《…》 and 文号 (国发〔2017〕35号), paired when printed together.

``《新一代人工智能发展规划》(国发〔2017〕35号)`` gives one citation with both parts. Garbled numbers with a
lost bracket (国发2025〕11号, 国发〔201735号) are repaired; government orders (2015年市人民政府令第16号) are
cited numbers too. Not citations: the document's own title and 文号 (also when printed garbled or spaced),
the documents a notice issues (现将《A》《B》印发给你们, 制定了《A》。现印发…), an abbreviation
(以下简称《行动方案》) and a 《》 that names no document (a film, a book: it does not end like a title).
``link`` attaches stored document ids when the caller knows them (by normalised 文号 or title).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from zhtext.docnumbers import doc_number_key
from zhtext.normalize import squash

from .heading import ends_with_genre

_TITLE_OPEN, _TITLE_CLOSE = "《", "》"
_DOC_NO = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12}?)\s*(?P<open>[〔\[［(（【﹝]?)\s*(?P<year>(?:19|20)\d{2})\s*"
    r"(?P<close>[〕\]］)）】﹞]?)\s*(?P<num>\d{1,5})\s*号"
)
_PREFIX_TRIM = re.compile(r"^.*?(?:根据|按照|依据|贯彻|落实|印发|转发|文号|以及|和|及|与|的|见)")
_FUNCTION_PREFIX = re.compile(r"^(?:根据|按照|依据|贯彻|落实|参照|结合|对照)")


_ISSUING = re.compile(r"(?:现将|现把|兹将)\s*$|(?:简称|以下称)\s*$")
# what follows the titles a notice issues (several may be issued together: 《A》《B》已经…)
_ISSUED = re.compile(r"^(?:\s*[、和及与]?\s*《[^《》]{2,120}》)*\s*(?:(?:已经|业经|经|现印发|现予印发|印发给你们|现转发|"
                     r"转发给你们)|[。，,]\s*现(?:予以?)?(?:印发|转发))")
# a cited document's title ends like one (规划, 意见, 办法 …, 条例, 法, 倡议 …); 《流浪地球2》 does not
_DOCUMENT_END = re.compile(r"(?:法|条例|规定|标准|倡议|纲要|报告|战略|路线图|白皮书|决议|公报|方案|草案)"
                           r"(?:\s*[(（][^()（）]{0,20}[)）])*$")
_ORDER = re.compile(r"令第\s*\d{1,4}\s*号")  # read back to its issuer and year: (2015年)(市人民政府)令第16号
_ORDER_HEAD = re.compile(r"(?:(?:19|20)\d{2}年)?[\u4e00-\u9fff]{2,12}$")
_NO_QUOTES = str.maketrans("", "", "“”\"'‘’")


@dataclass
class Citation:
    title: str | None
    doc_number: str | None
    start: int
    linked_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"title": self.title, "doc_number": self.doc_number, "linked_id": self.linked_id}


def _own_key(title: str) -> str:
    """A title compared with the document's own: Han characters and digits only, so a copy printed with
    lost dashes, stray spaces or a draft mark ((征求意见稿)) is still the document itself."""
    return re.sub(r"[^\u4e00-\u9fff\d]", "", squash(title).replace("征求意见稿", ""))


def _titles(text: str) -> list[tuple[int, int, str]]:
    """Outer 《…》 spans with nested 《》/〈〉 kept inside (《…关于印发〈…〉的通知》)."""
    out = []
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch == _TITLE_OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch == _TITLE_CLOSE and depth > 0:
            depth -= 1
            if depth == 0 and 4 <= i - start - 1 <= 150:
                out.append((start, i + 1, text[start + 1:i]))
        elif ch == "\n":
            depth = 0
    return out


def _numbers(text: str) -> list[tuple[int, int, str]]:
    out = []
    for match in _DOC_NO.finditer(text):
        if not (match["open"] or match["close"]):
            continue
        prefix = _PREFIX_TRIM.sub("", match["prefix"]) if len(match["prefix"]) > 2 else match["prefix"]
        prefix = _FUNCTION_PREFIX.sub("", prefix) or match["prefix"]
        number = match["num"]
        if not match["close"] and len(number) > 2 and match["open"]:
            pass  # 〔201735号: year and number fused — the regex already split year (4 digits) from number
        canonical = doc_number_key(f"{prefix}〔{match['year']}〕{int(number)}号")
        out.append((match.start(), match.end(), canonical or f"{prefix}〔{match['year']}〕{int(number)}号"))
    for match in _ORDER.finditer(text):
        head = _ORDER_HEAD.search(text, max(0, match.start() - 17), match.start())
        if head is None:
            continue
        order = re.sub(r"^.*?(?:根据|按照|依据|和|及|与|、|《[^》]*》)", "", text[head.start():match.end()])
        out.append((match.end() - len(order), match.end(), re.sub(r"\s+", "", order)))
    return sorted(out)


def extract_citations(text: str, own_doc_number: str | None = None,
                      own_titles: tuple[str | None, ...] = ()) -> list[Citation]:
    """Cited documents in order of appearance; the document's own title and 文号 are left out."""
    own_no = squash(own_doc_number) if own_doc_number else ""
    own = {_own_key(t) for t in own_titles if t}
    numbers = [n for n in _numbers(text) if squash(n[2]) != own_no]
    used: set[int] = set()
    found: list[Citation] = []
    for start, end, title in _titles(text):
        if _ISSUING.search(text[max(0, start - 4):start]) or _ISSUED.match(text[end:end + 160]):
            continue  # 现将《…》印发给你们: the document being issued, not a citation
        if not (ends_with_genre(squash(title)) or _DOCUMENT_END.search(squash(title))):
            continue
        key = _own_key(title)
        if key in own or any(key and (key in o or o in key) for o in own if len(o) > 4 and len(key) > 4
                             and abs(len(o) - len(key)) <= 2):
            continue
        paired = None
        follow = text[end:end + 30]
        for idx, (n_start, _n_end, number) in enumerate(numbers):
            if idx not in used and end <= n_start <= end + 25 and re.match(r"^\s*[(（]?", follow):
                between = text[end:n_start]
                if len(between) <= 20 and "《" not in between and not re.search(r"[。；;]", between):
                    paired = number
                    used.add(idx)
                    break
        found.append(Citation(title=title.strip(), doc_number=paired, start=start))
    for idx, (n_start, _n_end, number) in enumerate(numbers):
        if idx not in used:
            found.append(Citation(title=None, doc_number=number, start=n_start))
    found.sort(key=lambda c: c.start)
    unique: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for cit in found:
        key2 = (squash(cit.title), squash(cit.doc_number))
        if key2 not in seen:
            seen.add(key2)
            unique.append(cit)
    return unique


def link(citations: list[Citation], known: Mapping[str, str]) -> list[Citation]:
    """Attach stored document ids: ``known`` maps squashed 文号 or squashed title → document id."""
    for cit in citations:
        for key in (squash(cit.doc_number), squash(cit.title)):
            if key and key in known:
                cit.linked_id = known[key]
                break
    return citations
