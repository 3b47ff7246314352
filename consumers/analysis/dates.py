"""Dates as printed in Chinese documents → ISO strings.

Covers ``2018年6月19日``, ``二〇一八年六月十九日``, ``2025-10-27``, ``2003.10.09``, ``2019/1/13`` and
``2007-08-20-23:59:59``; invalid calendar dates give None rather than a guess.
"""

from __future__ import annotations

import re
from datetime import date

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
CN_NUM = "〇○零Ｏ0O一二三四五六七八九十"  # 二0二四年: an ASCII zero or letter O mixed in

DATE_CN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
DATE_CN_NUMERAL = re.compile(rf"(?P<y>[{CN_NUM}]{{4}})\s*年\s*(?P<m>[{CN_NUM}]{{1,3}})\s*月\s*(?P<d>[{CN_NUM}]{{1,3}})\s*日")
DATE_NUMERIC = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)")


def _cn_small(text: str) -> int:
    """一 … 三十一 → int (enough for months and days)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, -1)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    found = first_date(text)
    return found[0] if found else None


def first_date(text: str) -> tuple[str, int, int] | None:
    """(iso, start, end) of the earliest date of any supported form in ``text``."""
    best: tuple[str, int, int] | None = None
    for pattern in (DATE_CN, DATE_CN_NUMERAL, DATE_NUMERIC):
        for match in pattern.finditer(text):
            if pattern is DATE_CN_NUMERAL:
                year = int("".join(str(_CN_DIGITS.get(ch, 0)) for ch in match["y"]))
                iso = _iso(year, _cn_small(match["m"]), _cn_small(match["d"]))
            else:
                iso = _iso(int(match["y"]), int(match["m"]), int(match["d"]))
            if iso and (best is None or match.start() < best[1]):
                best = (iso, match.start(), match.end())
            if iso:
                break
    return best


def add_years_minus_day(iso: str, years: int) -> str | None:
    """End of a validity period of ``years`` starting on ``iso`` (有效期N年 → start + N years − 1 day)."""
    start = date.fromisoformat(iso)
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return date.fromordinal(end.toordinal() - 1).isoformat()
