"""Numbers with their units (300亿元, 3-5个, 20%, 五十亿元) and how they changed between paragraphs.

Numbers are found with patterns before any segmentation (jieba splits 80万至100万元 apart) and
compared as whole tokens, so 300亿元 → 500亿元 is reported as such rather than as the digit 3 → 5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_MAGNITUDE = "(?:[百千万亿]+)?"
_UNITS = (
    "平方公里|平方米|亿元|万元|千元|元|美元|家|个|项|人次|人|名|所|台|套|款|座|条|场|次|批|倍|"
    "万人|GW|MW|PB|TB|P|%|‰|年|月|日|级"
)
_ARABIC = r"\d+(?:\.\d+)?"
_RANGE_SEP = r"(?:-|~|—|–|至|到)"
NUMBER_TOKEN = re.compile(
    rf"(?:{_ARABIC}{_MAGNITUDE}(?:{_RANGE_SEP}{_ARABIC}{_MAGNITUDE})?(?:{_UNITS})?"
    rf"|[{_CN_DIGITS}]+{_MAGNITUDE}(?:{_UNITS}))"
)
# Context runs back to the previous clause delimiter so the reader sees what was counted.
_DELIMITERS = "，,。；;：:、！!？?"
CONTEXT_CHARS = 24


@dataclass(frozen=True, slots=True)
class NumberToken:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class NumberChange:
    """A number that changed inside an aligned paragraph; before or after is None when added/dropped."""

    before: str | None
    after: str | None
    context: str

    def to_dict(self) -> dict[str, object]:
        return {"before": self.before, "after": self.after, "context": self.context}


def number_tokens(text: str) -> list[NumberToken]:
    """All number tokens of a paragraph, in order."""
    return [NumberToken(m.group(), m.start(), m.end()) for m in NUMBER_TOKEN.finditer(text)]


def context_of(text: str, start: int, end: int) -> str:
    """The clause around a number: from the previous delimiter up to the next one, length-capped."""
    left = start
    while left > 0 and text[left - 1] not in _DELIMITERS and start - left < CONTEXT_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _DELIMITERS and right - end < CONTEXT_CHARS:
        right += 1
    return text[left:right]


def unit_of(token: str) -> str:
    """What a number counts (亿元, 家, %): the token without its digits, range signs and magnitudes."""
    return re.sub(rf"[\d.{_CN_DIGITS}百千万亿\-~—–至到]", "", token) or "#"


def _pair_by_unit(
    olds: list[NumberToken], news: list[NumberToken]
) -> list[tuple[NumberToken | None, NumberToken | None]]:
    """Pairs in order within the same unit (300亿元 ↔ 500亿元, never 2018年 ↔ 20家); the rest stand alone."""
    pairs: list[tuple[NumberToken | None, NumberToken | None]] = []
    remaining = list(news)
    for o in olds:
        match = next((n for n in remaining if unit_of(n.text) == unit_of(o.text)), None)
        if match is not None:
            remaining.remove(match)
        pairs.append((o, match))
    pairs.extend((None, n) for n in remaining)
    return pairs


def number_changes(before: str, after: str) -> list[NumberChange]:
    """Pair the number tokens of two versions of a paragraph and report those that differ."""
    old, new = number_tokens(before), number_tokens(after)
    if not old and not new:
        return []
    matcher = SequenceMatcher(None, [t.text for t in old], [t.text for t in new], autojunk=False)
    changes: list[NumberChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = old[i1:i2], new[j1:j2]
        for o, n in _pair_by_unit(olds, news):
            if n is not None:
                context = context_of(after, n.start, n.end)
            elif o is not None:
                context = context_of(before, o.start, o.end)
            else:
                continue
            changes.append(NumberChange(o.text if o else None, n.text if n else None, context))
    return changes
