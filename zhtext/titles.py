"""Policy titles as keys: the form a citation's 《title》 and a stored document's title meet in.

A plan is cited by its own title, with or without its issuer prefix (深圳市人民政府办公厅关于… / 关于…), in
either script (with the pinyin glosses some re-post sites add), with any bracket, dash and quote style, and
sometimes by its covering notice (关于印发《…》的通知, 国务院办公厅印发…的通知, 关于转发X部门关于…的通知,
关于转发X拟定的…的通知); ``title_key`` reduces all of these to one key. The key drops the issuer, so two
issuers' same-titled documents share it: a linker choosing among several stored documents of one key
should prefer the citing document's own region or the cited 文号.
"""

from __future__ import annotations

import re

from zhtext.normalize import squash, strip_pinyin_glosses

_ORG = r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|领导小组|小组|委|厅|局|部|院|署|办|中央)"
_VERB = r"(?:印发|转发|批转|公布|发布|颁布|颁发|下发)"
# 关于印发《X》的通知 / 某某关于印发X的通知 / 国务院办公厅印发X的通知 / 关于转发区科委制订的《X》的通知
_NOTICE = re.compile(rf"^(?:.*?关于{_VERB}|[\u4e00-\u9fff、]{{2,60}}?{_ORG}{_VERB})(?P<inner>.+)的(?:通知|决定|公告|通告)$")
# the issued title closes the notice's object: 《X》 / 区科委制订的《X》 (but 《X》实施细则 is a title itself)
_ISSUED_TITLE = re.compile(r"[^《》]*《(?P<x>[^《》]+(?:《[^《》]*》[^《》]*)*)》")
# 转发市交通运输委市公安局拟定的X: the drafting departments are not part of the forwarded title
DRAFTED_BY = re.compile(rf"^[\u4e00-\u9fff、]{{2,60}}?{_ORG}(?:拟定|制定|制订|起草|编制|修订|研究制定)的")
_MARKS = str.maketrans("", "", "《》〈〉<>“”\"'‘’「」『』")
# an issuer prefix (government bodies up to their 关于: "某某市人民政府办公厅关于…" → "…"), or a bare 关于
_ISSUER_PREFIX = re.compile(rf"^(?:[\u4e00-\u9fff、]{{2,60}}?{_ORG}+)?关于")
_PERIOD = re.compile(r"\(((?:19|20)\d{2})-((?:19|20)\d{2})年?\)")


def title_key(title: str | None) -> str:
    """Squashed title without covering notice, issuer prefix, book-title marks, quotes or 的 ('' for none);
    a period reads (2024-2026) however it was printed ((2024—2026年), （2024~2026年）)."""
    if not title:
        return ""
    key = squash(strip_pinyin_glosses(title)).replace("〈", "《").replace("〉", "》").strip("。.")
    if key.startswith("《") and key.endswith("》") and _ISSUED_TITLE.fullmatch(key):
        key = key[1:-1]  # the citation's own book-title marks
    for _ in range(3):  # a forwarding notice may wrap an issuing notice
        notice = _NOTICE.match(key)
        if not notice:
            break
        inner = notice.group("inner")
        quoted = _ISSUED_TITLE.fullmatch(inner)
        key = quoted.group("x") if quoted else DRAFTED_BY.sub("", inner)
    key = _ISSUER_PREFIX.sub("", key.translate(_MARKS))
    return fold_period(key).replace("的", "")


def fold_period(key: str) -> str:
    """A squashed title's period in one form: (2024-2026年) and (2024-2026) → (2024-2026)."""
    return _PERIOD.sub(r"(\1-\2)", key)
