"""Page-text cleaning before analysis: page furniture lines (share bars, QR codes, editors, phone numbers,
related-article lists), mis-encoded spaces, BOMs and bracketed pinyin glosses are dropped; widths and line
endings unified; letter-spaced lines (科 技 部, as official layouts print a signature) closed up."""

from __future__ import annotations

import re

from zhtext.normalize import fold_width, strip_pinyin_glosses

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
# one Han character, then single spaces between single Han characters: 科 技 部 / 中 共 某 市 委
_LETTER_SPACED = re.compile(r"[\u4e00-\u9fff](?: [\u4e00-\u9fff])+")


def _close_up(line: str) -> str:
    """Join letter-spaced runs of a line; runs of two or more spaces still separate names (signers)."""
    groups = re.split(r"(\s{2,})", line.strip())
    if len(line.strip()) < 3 or not all(_LETTER_SPACED.fullmatch(g) or not g.strip() for g in groups):
        return line
    lead = line[: len(line) - len(line.lstrip())]
    return lead + "".join(g.replace(" ", "") if g.strip() else g for g in groups)


def clean_text(text: str) -> str:
    """Drop page chrome lines, mis-encoded spaces and BOMs; unify widths and line endings."""
    text = fold_width(text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_pinyin_glosses(text)
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    text = _MOJIBAKE_SPACES.sub(" ", text)
    lines = [_close_up(line.rstrip()) for line in text.split("\n")]
    kept = [line for line in lines if not _CHROME_LINE.match(line)]
    out = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", out).strip()
