"""Quantitative goals (目标) as records: metric, comparator, value, unit, year, normalised value and unit.

``产业规模超过300亿元`` under ``到2020年`` in an AI plan → (人工智能产业规模 ← wording 产业规模, >, 300, 亿元, 2020;
300 亿元 normalised). ``metric`` is the canonical name of ``metrics`` or the object counted, ``wording`` the
plan's own words for it; numbers are found with patterns
before any segmentation (jieba splits 千亿级 and 80万至100万元); cn2an converts only the numeral part.
Handled forms: 1200亿元, 5.25EFlops, 2—3个 / 10-30% / 80万至100万元 (ranges, value "a-b"), 1/3 and 三分之一,
百分之三十, 千亿级 / 万人级别 (orders of magnitude, comparator "~"), Chinese numerals (二十个).
A goal needs a target year in context (到2025年 / 2025年底 …); support amounts (给予最高…万元补贴) are not goals.
A bare order of magnitude before a unit (超万亿元, 达千亿元) is one of that unit (1 万亿元, 1000 亿元); a rate
followed directly by its figure (普及率70%以上) is a goal without a verb.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .metrics import VERBS as _VERBS
from .metrics import metric_of, normalize

_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
NUM = rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}]{{1,8}})"
UNITS = sorted(
    ["万亿元", "亿元", "千万元", "万元", "亿美元", "元", "万亿", "亿", "万", "家", "个", "项", "人", "名", "人次", "万人", "户",
     "台", "套", "件", "款", "座", "所", "条", "种", "次", "GW", "MW", "EFlops", "EFLOPS", "PFlops", "PFLOPS",
     "TFlops", "Gbps", "TB", "PB", "公里", "千米", "平方米", "万平方米", "亩", "吨", "万吨", "倍", "%", "个百分点",
     "部", "张", "位", "辆", "架", "天", "小时", "微克每立方米", "微克/立方米", "毫克", "千瓦", "万千瓦", "兆瓦", "片",
     "万台", "万个", "万家", "万户", "万辆", "万套", "万件", "万名", "万座", "处", "支", "批", "所", "期", "场", "门", "岗", "篇"],
    key=len, reverse=True,
)
UNIT = "(?:" + "|".join(re.escape(u) for u in UNITS if not u.endswith("以上")) + ")"
_PRE = {"超过": ">", "突破": ">", "超": ">", "逾": ">", "高于": ">", "大于": ">", "不少于": ">=", "不低于": ">=",
        "达到": "=", "达": "=", "提高到": "=", "提高至": "=", "提升到": "=", "提升至": "=", "增至": "=",
        "增长到": "=", "控制在": "<=", "不超过": "<=", "低于": "<", "下降": "-", "降低": "-", "增长": "+"}
_POST = {"以上": ">=", "左右": "~", "以内": "<=", "以下": "<=", "内": "<="}
PRE = "(?:" + "|".join(sorted(map(re.escape, _PRE), key=len, reverse=True)) + ")"
VALUE = (rf"(?P<val>{NUM}\s*(?:{UNIT})?\s*(?:-|—|–|~|～|至|到)\s*{NUM}|\d+\s*/\s*\d+|百分之{NUM}|"
         rf"[{_CN_NUM}]{{1,3}}分之[{_CN_NUM}]{{1,3}}|{NUM})")
_A = re.compile(
    rf"(?P<metric>[^，,。；;、:：\n]{{2,40}}?)(?P<cmp>{PRE})\s*{VALUE}\s*(?P<unit>{UNIT})?\s*(?P<post>以上|左右|以内|以下)?"
)
_B = re.compile(
    rf"(?P<verb>打造|培育|建成|建设|形成|引进|新增|累计|新建|集聚|推出|认定|布局|招引|创建|培养|遴选|实施|落地|引培|引育)?"
    rf"\s*{VALUE}\s*(?P<unit>{UNIT})\s*(?P<post>以上|左右)?(?:的)?(?!以上|左右)"
    rf"(?P<noun>[\u4e00-\u9fffA-Za-z“”\"+](?:[\u4e00-\u9fffA-Za-z“”\"+]|、(?=[\u4e00-\u9fff]{{2}})){{1,40}})"
)
_E = re.compile(  # 应用普及率70%以上 / 毛入园率85%: a rate and its figure, without a verb (found from the rate word,
    # the metric is read back to the clause start)
    r"(?:率|比重|占比|比例)\s*(?P<val>\d+(?:\.\d+)?)\s*(?P<unit>%|个百分点)\s*(?P<post>以上|左右|以内|以下)?"
)
_CLAUSE_START = re.compile(r"[^，,。；;:：\n]{2,40}$")
# what follows the object in 100个示范社区全面建成: the predicate, not part of the object's name
_PREDICATE = re.compile(r"(?:(?:全面|基本|全部|初步|顺利|加快)?(?:建成|完成|实现|形成|投用|投运|运营|落地|开工)|"
                        r"走在(?:全国|全省|国内|世界)前列|(?:达到|处于)(?:国际|国内|全国)[^的]{0,4}水平)$")
_BARE_MAGNITUDE = {"万亿": (1, "万亿"), "千亿": (1000, "亿"), "百亿": (100, "亿"), "十亿": (10, "亿"), "亿": (1, "亿"),
                   "千万": (1000, "万"), "百万": (100, "万"), "十万": (10, "万")}
_C = re.compile(
    r"(?P<verb>新建|建成|新增|引进|培育|打造|建设|认定|创建|部署|开通|推广|引培|引育|招引|落地)(?P<noun>[\u4e00-\u9fffA-Za-z0-9]{2,20}?)"
    r"(?<![\d.])(?P<val>\d+(?:\.\d+)?万?|[一二两三四五六七八九十百千]{2,6})(?P<unit>个|家|项|台|套|座|所|条|件|款|人|名|户|辆|架)(?P<post>以上|左右)?(?![\u4e00-\u9fff])"
)
_D = re.compile(  # 揭榜国家人工智能创新任务15项以上: noun, number, counter and 以上/左右 (the goal marker)
    r"(?P<noun>[\u4e00-\u9fffA-Za-z0-9]{2,20}?)(?<![\d.])(?P<val>\d+(?:\.\d+)?万?)(?P<unit>个|家|项|台|套|座|所|条|件|款|人|名|户|辆|架|种)"
    r"(?P<post>以上|左右)"
)
_MORE = re.compile(rf"^\s*(?:、|和|及|,|，)\s*(?P<val>{NUM})\s*(?P<unit>{UNIT})")
_MAGNITUDE = re.compile(r"(?P<verb>集聚|打造|形成|建成|培育)?(?P<mag>千亿|百亿|万亿|千万|百万|十万|万|千|百)(?P<unit>元|人|亿|家)?级(?:别)?"
                        r"(?:的)?(?P<noun>[\u4e00-\u9fff]{2,20})")
_YEAR = re.compile(r"(?:到|至|截至|力争到?|在)?\s*(?P<y>20\d{2})\s*年(?:底|末|前)?")
_SUPPORT = re.compile(r"给予|奖励|补贴|资助|补助|贴息|最高|一次性|不超过\d+万元")
_METRIC_TRIM = re.compile(r"^(?:[,，、]|集聚|全省|全市|全区|全县|全州|我省|我市|我区|全国|力争|其中|实现|使|并|和|及|累计|"
                          r"到\s*20\d{2}\s*年(?:底|末)?|20\d{2}\s*年(?:底|末)?|年底|年末|\s)+")
_UNIT_ALIASES = {"微克每立方米": "微克/立方米"}
_MAG_VALUE = {"千亿": (1000, "亿"), "百亿": (100, "亿"), "万亿": (1, "万亿"), "千万": (1000, "万"), "百万": (100, "万"),
              "十万": (10, "万"), "万": (10000, ""), "千": (1000, ""), "百": (100, "")}


@dataclass
class Target:
    """``metric``: canonical name or the object counted; ``wording``: the plan's words for it; ``value`` and
    ``unit`` as printed; ``value_normalized`` / ``unit_normalized`` in the dimension's one unit."""

    text: str
    metric: str
    comparator: str
    value: float | int | str
    unit: str
    year: int | None
    wording: str = ""
    value_normalized: float | int | str | None = None
    unit_normalized: str = ""
    start: int = 0

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out.pop("start")
        return out


def parse_number(raw: str) -> float | int | str | None:
    """'300' → 300, '5.25' → 5.25, '二十' → 20, '1/3' → 0.333, '三分之一' → 0.333, '2—3' → '2-3'."""
    import cn2an

    raw = raw.strip().replace(" ", "")
    if raw.startswith("百分之"):
        return parse_number(raw[3:])
    if "分之" in raw:
        den, num = raw.split("分之", 1)
        den_v, num_v = parse_number(den), parse_number(num)
        if isinstance(den_v, (int, float)) and isinstance(num_v, (int, float)) and den_v:
            return round(num_v / den_v, 4)
        return None
    if "/" in raw:
        a, b = raw.split("/", 1)
        return round(int(a) / int(b), 4) if b.isdigit() and int(b) else None
    parts = re.split(r"-|—|–|~|～|至|到", raw)
    if len(parts) == 2 and all(parts):
        values = [parse_number(re.sub(UNIT + "$", "", p)) for p in parts]
        if all(isinstance(v, (int, float)) for v in values):
            return f"{_fmt(values[0])}-{_fmt(values[1])}"  # type: ignore[arg-type]
        return None
    if re.fullmatch(r"\d+", raw):
        return int(raw)
    if re.fullmatch(r"\d+\.\d+", raw):
        return float(raw)
    try:
        value = cn2an.cn2an(raw.replace("两", "二"), "smart")
    except (ValueError, KeyError):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _fmt(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)




def _clean_metric(metric: str) -> str:
    metric = re.sub(r"分别$", "", metric.strip(" “”\""))
    previous = None
    while previous != metric:
        previous = metric
        metric = _METRIC_TRIM.sub("", metric)
        metric = re.sub(r"^(?:打造|培育|形成|建成|新增|推动|加快|力争|争取|实现)", "", metric) if len(metric) > 6 else metric
    return metric.strip()


def _year_context(text: str) -> list[tuple[int, int]]:
    """(offset, year) of every target-year mention, to find the year in force at a position."""
    return [(m.start("y"), int(m["y"])) for m in _YEAR.finditer(text)
            if re.match(r"(?:到|至|截至|力争)", m.group(0)) or re.match(r"\s*20\d{2}\s*年(?:底|末)?\s*[,，]", text[m.start():m.end() + 2])
            or m.group(0).endswith(("底", "末"))]


_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}\s*[.．、](?!\d)|第.{1,3}[章条])")


def _line_years(text: str, years: list[tuple[int, int]]) -> list[tuple[int, int, list[tuple[int, int]], int | None]]:
    """Per line: (start, end, year mentions, year carried in from an introducing line).

    A year carries forward only from a line that introduces a list — it ends with a colon, or the next
    lines start with —— — and only until the next numbered heading.
    """
    out = []
    pos = 0
    carry: int | None = None
    raw_lines = text.split("\n")
    for i, line in enumerate(raw_lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if _HEADING.match(line) and not stripped.startswith("——"):
            carry = None
        mentions = [(o, y) for o, y in years if start <= o <= end]
        out.append((start, end, mentions, carry if stripped.startswith("——") or carry is not None else None))
        if mentions:
            following = next((ln.strip() for ln in raw_lines[i + 1:] if ln.strip()), "")
            if stripped.endswith((":", "：")) or following.startswith("——"):
                carry = mentions[-1][1]
    return out


def extract_targets(text: str, *, base: int = 0, subject: str | None = None) -> list[Target]:
    """Targets in ``text`` (Simplified matching form); offsets are relative to ``base``. ``subject`` is the
    plan's own industry when known (人工智能 for an AI plan): a bare 产业规模 is then that industry's."""
    years = _year_context(text)
    found: list[Target] = []
    taken: list[tuple[int, int]] = []

    lines = _line_years(text, years)

    def year_at(pos: int) -> int | None:
        for start, end, mentions, carried in lines:
            if start <= pos <= end:
                before = [year for offset, year in mentions if offset <= pos]
                return before[-1] if before else carried
        return None

    def sentence_of(pos: int) -> str:
        start = max(text.rfind(ch, 0, pos) for ch in "。；;\n") + 1
        return text[start:pos]

    def add(start: int, end: int, metric: str, cmp: str, raw_value: str, unit: str, *, overlap: bool = False,
            anchor: int | None = None) -> None:
        if not overlap and any(s < end and start < e for s, e in taken):
            return
        value = parse_number(raw_value)
        year = year_at(anchor if anchor is not None else start)
        if value is None or year is None or _SUPPORT.search(sentence_of(start) + text[start:end]):
            return
        if isinstance(value, int) and 1990 <= value <= 2100 and unit in ("", "年"):
            return
        metric = _clean_metric(metric)
        if _VERBS.fullmatch(metric):
            return
        if len(metric) < 2:
            # "到2030年底力争突破1000亿元": the metric is the one of the goal just before, same paragraph
            previous = [t for t in found if base + start - t.start < 300]
            if not previous:
                return
            metric = previous[-1].wording
        unit = _UNIT_ALIASES.get(unit, unit)
        taken.append((start, end))
        normalized, unit_normalized = normalize(value, unit)
        found.append(Target(text=text[start:end].strip(" ,，"), metric=metric_of(metric, unit, subject=subject),
                            comparator=cmp, value=value, unit=unit, year=year, wording=metric,
                            value_normalized=normalized, unit_normalized=unit_normalized, start=base + start))

    for match in _A.finditer(text):
        unit = match["unit"] or ""
        raw = match["val"]
        if raw in _BARE_MAGNITUDE and unit.startswith("元"):
            count, prefix = _BARE_MAGNITUDE[raw]  # 超万亿元: one 万亿元
            raw, unit = str(count), prefix + unit
        if not unit:
            unit_in = re.search(UNIT + "$", raw)
            unit = unit_in.group(0) if unit_in else ("%" if raw.startswith("百分之") else "")
        if not unit and not re.search(r"\d", raw):
            continue
        cmp = _PRE[match["cmp"]]
        if match["post"]:
            cmp = _POST[match["post"]] if cmp == "=" else cmp
        if re.search(r"-|—|–|~|～|至|到", raw) and not raw.startswith("百分之"):
            cmp = "range"
        start = match.start("metric")
        add(start, match.end(), match["metric"], cmp, raw, unit, anchor=match.start("val"))
        tail = match.end()
        while (more := _MORE.match(text[tail:])) is not None:  # 分别下降15%、10%和26%
            add(start, tail + more.end(), match["metric"], cmp, more["val"], more["unit"], overlap=True)
            tail += more.end()
    for match in _E.finditer(text):
        clause = _CLAUSE_START.search(text, max(0, match.start() - 40), match.start())
        if clause is None:
            continue
        metric = text[clause.start():match.start("val")].rstrip()
        add(clause.start(), match.end(), metric, _POST.get(match["post"] or "", "="), match["val"], match["unit"])
    for match in _C.finditer(text):
        cmp = _POST.get(match["post"] or "", "=")
        add(match.start(), match.end(), match["verb"] + match["noun"] + "数量", cmp, match["val"], match["unit"])
    for match in _D.finditer(text):
        if re.match(r"[\u4e00-\u9fff]", text[match.end():match.end() + 1]) or match["noun"][-1] in "和及与":
            continue  # 构建30个以上数据集 / …数据集和5个左右大模型: the object follows the number (read below)
        add(match.start(), match.end(), match["noun"] + "数量", _POST[match["post"]], match["val"], match["unit"])
    for match in _B.finditer(text):
        raw, unit = match["val"], match["unit"]
        if text[max(0, match.start("val") - 3):match.start("val")].rstrip().endswith(("专栏", "第", "附件", "图", "表")):
            continue
        if unit == "人" and match["noun"][:1] in "工民口员":
            continue
        if unit in ("%", "倍", "个百分点") or not re.search(r"\d|[一二两三四五六七八九十百千]", raw):
            continue
        if re.fullmatch(rf"[{_CN_NUM}]", raw) and not match["post"]:
            continue  # 一批 / 六项基本指标: a single Chinese digit before a counter is rarely a goal
        noun = _PREDICATE.sub("", re.split(r"[和及与]一(?:批|系列)", match["noun"])[0]).rstrip("和及与、")
        cmp = _POST.get(match["post"] or "", "=")
        if re.search(r"-|—|–|~|～|至|到", raw):
            cmp = "range"
        start = match.start("verb") if match["verb"] else match.start("val")
        add(start, match.end("noun"), noun + "数量", cmp, raw, unit)
    for match in _MAGNITUDE.finditer(text):
        value, unit = _MAG_VALUE[match["mag"]]
        unit = unit + (match["unit"] or ("元" if "产业" in match["noun"] or "规模" in match["noun"] else ""))
        if match["unit"] == "人" or "人才" in match["noun"]:
            unit = "人"
        start = match.start("verb") if match["verb"] else match.start("mag")
        add(start, match.end("noun"), match["noun"], "~", str(value), unit)
    found.sort(key=lambda t: t.start)
    unique: list[Target] = []
    seen: set[tuple[object, ...]] = set()
    for target in found:  # a news lead often repeats the plan's goals verbatim
        key = (target.text, target.value, target.unit, target.year)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique
