"""Canonical metrics of plan targets, so that one region's goal can be set beside another's.

Plans word the same quantity in many ways (人工智能核心产业产值 / 核心产业营业收入 / 核心产业规模) and print it
in many units (亿元, 万亿元, 千亿级; PFlops, EFLOPS; 家, 万家; 人, 名, 万人). A target keeps its printed
``text``, its ``wording`` of the quantity and its printed ``value`` / ``unit``; this module adds

* ``metric``: a name from the vocabulary below when one fits, else the object counted or measured, named
  (数据标注基地数量, 研发投入额) — never a bare verb (培育数量, 新建数量);
* ``value_normalized`` / ``unit_normalized``: the value in one unit per dimension.

Units (``normalize``): money → 亿元 (元, 万元, 千万元, 亿, 万亿元 …; 亿美元 stays apart, another currency);
computing power → PFLOPS (TFLOPS, EFLOPS, any case); enterprises → 家, other counts → their counter
(个, 项, 台 …) with 万 folded in (3万家 → 30000 家); people → 人 (名, 位, 万人, 万名); power → MW (千瓦, 万千瓦,
GW); area → 平方米; weight → 吨; % and 个百分点 unchanged. Ranges stay "a-b", both ends scaled.

Vocabulary (``VOCABULARY``; first rule that fits wins; each rule needs a unit of its dimension):

===========================  ===========  =====================================================================
metric                       dimension    the wording names
===========================  ===========  =====================================================================
带动相关产业规模             money        带动…, 相关产业, 关联产业
人工智能核心产业规模         money        核心产业 (营业收入, 产值, 规模) — unless 数字经济
数字经济核心产业规模         money        数字经济核心产业
数字经济规模                 money        数字经济
数据产业规模                 money        数据产业
机器人产业规模               money        机器人 / 具身智能 产业
软件和信息服务业规模         money        软件
集成电路产业规模             money        集成电路, 芯片
基金规模                     money        基金
融资规模                     money        融资
研发投入                     money        研发投入, 研发经费
人工智能产业规模             money        人工智能 / AI / 智能产业 / 大模型 产业; or a bare 产业规模 in an AI plan
智能算力规模                 compute      智能算力, 智算, AI算力 (or any FLOPS figure of 智…)
算力规模                     compute      算力, 算力总规模
龙头企业数量                 enterprises  龙头, 领军, 链主, 头部, 生态主导 / 生态型, 标杆, 骨干, 领航 企业
独角兽企业数量               enterprises  独角兽
专精特新企业数量             enterprises  专精特新, 小巨人
高新技术企业数量             enterprises  高新技术企业, 高企
上市企业数量                 enterprises  上市
规模以上企业数量             enterprises  规模以上, 规上
人工智能企业数量             enterprises  人工智能 / AI / 智能 企业; or any other 企业 count in an AI plan
创新平台数量                 count        创新平台, 创新中心, 实验室, 研发 / 研究机构, 研究院, 创新载体,
                                          技术中心, 工程中心, 公共服务平台, 共性技术平台
孵化载体数量                 count        孵化器, 众创空间, 加速器
应用场景数量                 count        场景
示范项目数量                 count        示范项目, 示范性项目, 应用示范, 示范工程, 标杆项目, 试点项目,
                                          典型案例, 解决方案
重点项目数量                 count        项目
大模型数量                   count        大模型, 模型
数据集数量                   count        数据集, 语料
产业园区和基地数量           count        园区, 基地, 集聚区, 先导区
产业集群数量                 count        集群
标准数量                     count        标准
专利数量                     count        专利, 著作权, 知识产权
创新团队数量                 count        团队
人才数量                     people       人才, 专家, 工程师, 科研 / 研究人员, 博士
人工智能应用普及率           percent      普及率, 渗透率 of 智能 / 人工智能 / AI / 大模型
===========================  ===========  =====================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# unit → (dimension, factor to the dimension's unit)
_UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1e-8), "万元": ("money", 1e-4), "千万元": ("money", 1e-1), "亿元": ("money", 1.0), "亿": ("money", 1.0),
    "万亿元": ("money", 1e4), "万亿": ("money", 1e4), "亿美元": ("usd", 1.0),
    "tflops": ("compute", 1e-3), "pflops": ("compute", 1.0), "eflops": ("compute", 1e3),
    "家": ("enterprises", 1.0), "万家": ("enterprises", 1e4),
    "人": ("people", 1.0), "名": ("people", 1.0), "位": ("people", 1.0), "万人": ("people", 1e4), "万名": ("people", 1e4),
    "千瓦": ("power", 1e-3), "万千瓦": ("power", 10.0), "兆瓦": ("power", 1.0), "MW": ("power", 1.0), "GW": ("power", 1e3),
    "平方米": ("area", 1.0), "万平方米": ("area", 1e4), "吨": ("weight", 1.0), "万吨": ("weight", 1e4),
    "千米": ("length", 1.0), "公里": ("length", 1.0), "%": ("percent", 1.0), "个百分点": ("points", 1.0),
}
_DIMENSION_UNIT = {"money": "亿元", "usd": "亿美元", "compute": "PFLOPS", "enterprises": "家", "people": "人", "power": "MW",
                   "area": "平方米", "weight": "吨", "length": "公里", "percent": "%", "points": "个百分点"}
_COUNTERS = "个项台套件款座所条种次辆架户处支批期场门岗篇部张片人次"


@dataclass(frozen=True)
class _Rule:
    metric: str
    dimensions: frozenset[str]
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None


def _rule(metric: str, dimensions: str, pattern: str, unless: str | None = None) -> _Rule:
    return _Rule(metric, frozenset(dimensions.split()), re.compile(pattern), re.compile(unless) if unless else None)


_MONEY, _COUNT, _FIRMS, _ITEMS = "money", "count enterprises", "enterprises count", "count"
VOCABULARY: tuple[_Rule, ...] = (
    _rule("带动相关产业规模", _MONEY, r"带动|相关产业|关联产业"),
    _rule("数字经济核心产业规模", _MONEY, r"数字经济.*核心产业"),
    _rule("人工智能核心产业规模", _MONEY, r"核心产业"),
    _rule("数字经济规模", _MONEY, r"数字经济"),
    _rule("数据产业规模", _MONEY, r"数据产业"),
    _rule("机器人产业规模", _MONEY, r"(?:机器人|具身智能).*产业|产业.*机器人"),
    _rule("软件和信息服务业规模", _MONEY, r"软件"),
    _rule("集成电路产业规模", _MONEY, r"集成电路|芯片"),
    _rule("基金规模", _MONEY, r"基金"),
    _rule("融资规模", _MONEY, r"融资"),
    _rule("研发投入", _MONEY, r"研发投入|研发经费"),
    _rule("人工智能产业规模", _MONEY, r"(?:人工智能|AI|智能|大模型).*(?:产业|产值|营业收入|营收)"),
    _rule("智能算力规模", "compute", r"智能算力|智算|AI算力|人工智能算力|智"),
    _rule("算力规模", "compute", r""),
    _rule("龙头企业数量", _FIRMS, r"(?:龙头|领军|链主|头部|生态主导|生态型|标杆|骨干|领航)(?:型)?企业"),
    _rule("独角兽企业数量", _FIRMS, r"独角兽"),
    _rule("专精特新企业数量", _FIRMS, r"专精特新|小巨人"),
    _rule("高新技术企业数量", _FIRMS, r"高新技术企业|高企"),
    _rule("上市企业数量", _FIRMS, r"上市"),
    _rule("规模以上企业数量", _FIRMS, r"规模以上|规上"),
    _rule("人工智能企业数量", _FIRMS, r"(?:人工智能|AI|智能).*企业"),
    _rule("孵化载体数量", _COUNT, r"孵化器|众创空间|加速器"),
    _rule("创新平台数量", _COUNT, r"创新平台|创新中心|实验室|研发机构|研究机构|研究院|创新载体|技术中心|工程中心|"
                                r"公共服务平台|共性技术平台|服务平台"),
    _rule("应用场景数量", _ITEMS, r"场景"),
    _rule("示范项目数量", _COUNT, r"示范项目|示范性项目|应用示范|示范工程|标杆项目|试点项目|典型案例|解决方案"),
    _rule("重点项目数量", _COUNT, r"项目"),
    _rule("大模型数量", _ITEMS, r"大模型|模型"),
    _rule("数据集数量", _ITEMS, r"数据集|语料"),
    _rule("产业园区和基地数量", _COUNT, r"园区|基地|集聚区|先导区"),
    _rule("产业集群数量", _ITEMS, r"集群"),
    _rule("标准数量", _ITEMS, r"标准"),
    _rule("专利数量", _ITEMS, r"专利|著作权|知识产权"),
    _rule("创新团队数量", _COUNT, r"团队"),
    _rule("人才数量", "people", r"人才|专家|工程师|科研人员|研究人员|博士"),
    _rule("人工智能应用普及率", "percent", r"(?:普及率|渗透率)", unless=r"^(?!.*(?:智能|人工智能|AI|大模型))"),
)
_AI_SUBJECT = {"人工智能产业规模": _rule("", _MONEY, r"^(?:产业|总)?(?:规模|产值|总产值|营业收入|营收)$|^产业"),
               "人工智能企业数量": _rule("", _FIRMS, r"企业")}


def dimension_of(unit: str) -> str:
    """money / compute / enterprises / people / percent … or ``count`` for a counter (个, 项, 万个 …)."""
    key = unit.lower() if unit.lower().endswith("flops") else unit
    if key in _UNITS:
        return _UNITS[key][0]
    if unit and unit.lstrip("万") and all(ch in _COUNTERS for ch in unit.lstrip("万")):
        return "count"
    return "other"


def normalize(value: float | int | str, unit: str) -> tuple[float | int | str, str]:
    """(value, unit) in the one unit of the dimension: 1.2万亿元 → 12000 亿元, 5 EFLOPS → 5000 PFLOPS,
    3万家 → 30000 家, "2-3" 万人 → "20000-30000" 人; units of no known dimension are returned as they are."""
    key = unit.lower() if unit.lower().endswith("flops") else unit
    if key in _UNITS:
        dimension, factor = _UNITS[key]
        target = _DIMENSION_UNIT[dimension]
    elif dimension_of(unit) == "count":
        factor = 1e4 if unit.startswith("万") else 1.0
        target = unit.lstrip("万")
    else:
        return value, unit
    return _scale(value, factor), target


def _scale(value: float | int | str, factor: float) -> float | int | str:
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 2:
            try:
                return "-".join(_number(float(p) * factor) for p in parts)
            except ValueError:
                return value
        return value
    return _tidy(value * factor)


def _tidy(number: float) -> float | int:
    rounded = round(number, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def _number(number: float) -> str:
    return str(_tidy(number))


def canonical_metric(wording: str, unit: str, *, subject: str | None = None) -> str | None:
    """The vocabulary's name for a target worded ``wording`` in ``unit``; ``subject`` 人工智能 (an AI plan)
    lets a bare 产业规模 or 企业 count stand for the AI industry's; None when no rule fits. A count of
    企业 is an enterprise metric whatever else the wording names (产业集群企业 are firms, not clusters)."""
    dimension = dimension_of(unit)
    firms = bool(re.search(r"企业(?:数量|数)?$", wording))
    for rule in VOCABULARY:
        if firms and dimension in ("count", "enterprises") and not rule.metric.endswith("企业数量"):
            continue
        if dimension in rule.dimensions and rule.pattern.search(wording) and not (
                rule.unless and rule.unless.search(wording)):
            return rule.metric
    if subject == "人工智能":
        for metric, rule in _AI_SUBJECT.items():
            if dimension in rule.dimensions and rule.pattern.search(wording):
                return metric
    return None


VERBS = re.compile(r"(?:培育|新建|建成|建设|形成|打造|引进|新增|累计|集聚|推出|认定|布局|招引|创建|培养|遴选|实施|落地|"
                    r"组织实施|引培|引育|力争|争取|实现|达到|完成|推动|突破|培训)+")


def named_object(wording: str, unit: str) -> str:
    """The object a target counts or measures, named when no canonical metric fits: the head noun of the
    wording (after its last 的, without a leading verb), with 数量 for a count (数据标注基地数量)."""
    if wording.count("“") != wording.count("”"):
        wording = wording.replace("“", "").replace("”", "")  # a quote cut in half by the pattern
    wording = re.sub(r"(?:累计|合计|总计|共)$", "", wording)
    if dimension_of(unit) not in ("count", "enterprises", "people"):
        return wording
    head = wording.rsplit("的", 1)[-1] if len(wording) > 8 else wording
    head = re.sub(rf"^(?:{VERBS.pattern})+", "", head).strip(" “”\"")
    if not head or head in ("数量", "数"):
        return "未具名对象数量"  # (the extractor names the object; this only guards a bare verb)
    return head if re.search(r"(?:数量|数|人数|个数|规模)$", head) else head + "数量"


def metric_of(wording: str, unit: str, *, subject: str | None = None) -> str:
    """``metric`` of a target: the canonical name when one fits, else the named object."""
    return canonical_metric(wording, unit, subject=subject) or named_object(wording, unit)
