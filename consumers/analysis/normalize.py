"""Text normalisation: page chrome removal, width folding, Traditional→Simplified for matching, 文号 brackets.

Extraction runs on a *matching form* of the text (NFKC, Simplified script) while results are cut from the
cleaned original at the same offsets; OpenCC ``t2s`` maps character by character, so offsets line up
whenever the lengths agree (checked, with a fall back to the simplified text).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Lines that are page furniture rather than document text (share bars, QR codes, editors, links, phones).
_CHROME_LINE = re.compile(
    r"^\s*(?:"
    r"分享(?:到)?[:：]?.{0,40}|.{0,12}扫描?(?:二维码|二維碼).{0,30}|.{0,6}扫一扫.{0,30}|"
    r"(?:责任编辑|責任編輯|编辑|編輯|校对|审核|签发)\s*[:：].{0,30}|"
    r"本文链接\s*[:：].*|原文链接\s*[:：].*|本文关键词\s*[:：].*|关键字\s*[:：].{0,60}|"
    r"(?:相关(?:文章|阅读|链接|新闻|文档)|最新文档|热门文章|推荐阅读|上一篇|下一篇)\s*[:：]?.{0,80}|"
    r"(?:打印本页|关闭窗口|返回顶部|【?打印】?|【?关闭】?|字号[:：]?\s*(?:大|中|小|默认|超大|\s)*|"
    r"浏览(?:次数|量)\s*[:：]?\s*\d*|阅读(?:次数|量)\s*[:：]?\s*\d*|无障碍|微信扫描二维码.*)|"
    r".{0,20}(?:电话|联系电话|手机|咨询电话|传真)\s*[:：]?\s*[\d\-—()（） ]{7,}.{0,20}|"
    r".{0,12}1[3-9]\d{9}.{0,12}|"
    r"-\s*\d{4}-\d{2}-\d{2}|"  # related-article date lists ("- 2020-08-12")
    r"(?:【[^】]{1,8}】\s*){2,}|【?字体[:：]?.{0,12}|(?:打印|关闭|收藏|纠错)(?:\s*[|丨/]?\s*(?:打印|关闭|收藏|纠错|本页|窗口))+"
    r")\s*$"
)
_MOJIBAKE_SPACES = re.compile(r"(?<=\s)\?+|\?+(?=\s|$)|(?<=[\u4e00-\u9fff])\?{2,}")
# A 文号; ``?`` stands for a bracket lost in a mis-decoding (赣府厅字?2024?21号)
_DOC_NO = re.compile(
    r"(?P<prefix>[\u4e00-\u9fffA-Za-z]{1,14}?)\s*"
    r"(?P<open>[〔\[［(（【﹝?]?)\s*(?P<year>(?:19|20)\d{2})\s*(?P<close>[〕\]］)）】﹞?]?)\s*"
    r"(?P<num>\d{1,5})\s*(?P<hao>[号號])"
)


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s, character level); a no-op on Simplified text."""
    return _t2s().convert(text) if text else text


def fold_width(text: str) -> str:
    """NFKC: full-width ASCII → half-width, ideographic space → space; keeps 〔〕 and 《》."""
    return unicodedata.normalize("NFKC", text)


def clean_text(text: str) -> str:
    """Drop page chrome lines, mis-encoded spaces and BOMs; unify widths and line endings."""
    text = fold_width(text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    text = _MOJIBAKE_SPACES.sub(" ", text)
    lines = [line.rstrip() for line in text.split("\n")]
    kept = [line for line in lines if not _CHROME_LINE.match(line)]
    out = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def matching_form(text: str) -> str:
    """The form extraction patterns run on: Simplified script, same length as ``text`` when possible."""
    simplified = to_simplified(text)
    # 於/于 and 關於 variants: t2s already maps them; 陜 is a variant of 陕 that t2s leaves alone.
    return simplified.replace("陜", "陕")


def squash(text: str | None) -> str:
    """Comparison key: NFKC, simplified, no whitespace, unified brackets and dashes, no quotes."""
    if not text:
        return ""
    out = matching_form(fold_width(text))
    out = re.sub(r"\s+", "", out)
    out = out.translate(str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "﹝": "〔", "﹞": "〕",
                                       "—": "-", "–": "-", "~": "-", "～": "-", "至": "至",
                                       "<": "〈", ">": "〉", "（": "(", "）": ")"}))
    return out


def normalize_doc_number(raw: str) -> str | None:
    """Canonical 文号: ``沈政办发〔2018〕144号`` from ``沈政办发[2018]144 号``, ``(2018)``, or a lost bracket."""
    match = _DOC_NO.search(re.sub(r"\s+", "", fold_width(raw)))
    if not match:
        return None
    return f"{match['prefix']}〔{match['year']}〕{int(match['num'])}号"


def doc_number_pattern() -> re.Pattern[str]:
    return _DOC_NO
