"""文号 (document numbers, 发文字号): finding them in text and writing them one canonical way.

``沈政办发[2018]144 号``, ``沈政办发（2018）144号``, ``沈政办发〔2018〕第144号`` and a number whose brackets were
lost in a mis-decoding (``赣府厅字?2024?21号``) all become ``沈政办发〔2018〕144号``, so a search, a citation
and the stored document meet on one key (``doc_number_key``, which also folds script and pinyin glosses).
"""

from __future__ import annotations

import re

from zhtext.normalize import fold_width, strip_pinyin_glosses, to_simplified

# A 文号; ``?`` stands for a bracket lost in a mis-decoding (赣府厅字?2024?21号)
_DOC_NO = re.compile(
    r"(?P<prefix>[\u4e00-\u9fffA-Za-z]{1,14}?)\s*"
    r"(?P<open>[〔\[［(（【﹝〈<?]?)\s*(?P<year>(?:19|20)\d{2})\s*(?P<close>[〕\]］)）】﹞〉>?]?)\s*(?:第\s*)?"
    r"(?P<num>\d{1,5})\s*(?P<hao>[号號])"
)
# words a cited 文号 is often printed after (根据国发〔2017〕35号): not part of its prefix
_LEAD_WORDS = re.compile(r"^(?:.*?(?:根据|按照|依据|贯彻|落实|参照|印发|转发|文号|字号)|.+?[以和及与])(?=[\u4e00-\u9fff]{2,12}〔)")


def normalize_doc_number(raw: str) -> str | None:
    """Canonical 文号: ``沈政办发〔2018〕144号`` from ``沈政办发[2018]144 号``, ``(2018)``, or a lost bracket."""
    match = _DOC_NO.search(re.sub(r"\s+", "", fold_width(raw)))
    if not match:
        return None
    return f"{match['prefix']}〔{match['year']}〕{int(match['num'])}号"


def doc_number_pattern() -> re.Pattern[str]:
    return _DOC_NO


def doc_number_key(raw: str | None) -> str | None:
    """The key a citation and the stored document it names meet on: the canonical 文号 in Simplified
    script (國發[2017]35號 ≡ 国发〔2017〕35号 ≡ 國(guó)發（2017）第35號 ≡ 根据国发〔2017〕35号). None when ``raw``
    holds no 文号."""
    if not raw:
        return None
    canonical = normalize_doc_number(to_simplified(strip_pinyin_glosses(raw)))
    return _LEAD_WORDS.sub("", canonical) if canonical else None
