"""AI relevance: label (yes / borderline / no), a score in [0, 1], the evidence and topic tags.

Decision rules, in order (they mirror the labeled set's conventions):

1. the policy's own title (or its notice's) names AI — 人工智能 (or the Taiwan term 人工智慧), AI, 大模型,
   智能体, 具身智能, 人形机器人, 智能机器人, 多模态, 机器学习, 智能算力/智算, 语料, AIGC, AI for Science …,
   or 算法 within an industry or policy agenda (产业, 发展, 治理 …) → **yes** — a strong term needs that
   agenda too, or AI named in the body: a service notice titled “AI+医保” about a chatbot rollout that
   never names AI again is judged by its body;
2. the title names a broader digital agenda — 数字经济, 数字化(转型), 新型基础设施/新基建, 大数据, 数据要素,
   数据产业, 智慧城市, a sector's 智慧X / 智能化 agenda (智慧民航建设, 智慧交通发展, 装备产业智能化改造 …),
   数字政府, 信息化, 互联网+, 工业互联网, 算力 … — or an AI-adjacent industry (机器人, 智能网联汽车, 自动驾驶,
   智能制造) → **borderline** (AI treated in passing or by type) — an adjacent industry only with an agenda
   in the title or AI in the body, so a 智能制造专项资金申报 call that never names AI is **no**, and a robot
   industry or “机器人+” application plan becomes **yes** only when its body names AI (≥ 2 mentions) or
   humanoid / embodied robots (人形机器人, 具身智能, 智能机器人);
   数字化城市管理 (数字城管, the grid-based city management system of the 2000s) is no digital agenda;
3. a technology title (5G, 信息通信, 科技创新, 集成电路, 新场景应用 …) whose body mentions AI at least twice → borderline;
4. otherwise AI must dominate the body (≥ 10 mentions, ≥ 3 per 1,000 characters, present in at least three
   quarters of the text) for yes, or be frequent (≥ 5 and ≥ 1 per 1,000) for borderline; else **no**.

Counting uses jieba tokens (with the package's user dictionary), so 人工客服 or 机器人工 never count as 人工智能.
智慧 and 数字 alone never make a document relevant: 老年人运用智能技术, 智能化监管 or a 智慧养老产品申报 call
stay **no**.

Evidence vocabulary (``AI_TERMS``, weight per mention): the established terms (人工智能, 机器学习, 深度学习,
计算机视觉 …) and those of the 2023–2026 plans — 通用人工智能 and 大模型 / 大语言模型 / 生成式 / AIGC / 预训练,
智能体, 具身智能 / 人形机器人, 多模态, 智能算力 / 智算 (智算中心), 语料, AI for Science / 科学智能; 人工智能+ and
人工智慧 count as 人工智能.

Topic vocabulary (``TOPICS``, tag → terms; a tag needs two hits in the body, one hit of a distinctive term —
``DISTINCTIVE``, the specific words of current plans — or one in the title): 智能制造, 智能网联汽车, 智能医疗,
智能机器人, 具身智能, 芯片, 算力, 大模型, 智能体, 多模态, 人工智能+, 数据要素, AI for Science, 人才, 资金扶持,
数据开放, 伦理与安全, 智慧城市, 智能教育, 智慧农业, 金融科技. Tag names are stable: subscriptions name them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from zhtext.tokenize import tokens

AI_TERMS: dict[str, float] = {
    "人工智能": 1.0, "AI": 0.8, "通用人工智能": 1.0, "大模型": 1.0, "大语言模型": 1.0, "智能体": 0.8, "具身智能": 1.0,
    "生成式": 0.8, "多模态": 0.6, "预训练": 0.6, "机器学习": 0.8, "深度学习": 0.8, "神经网络": 0.6, "计算机视觉": 0.6,
    "自然语言处理": 0.6, "语音识别": 0.4, "智能算力": 0.8, "智算": 0.6, "类脑": 0.6, "人形机器人": 0.8, "智能机器人": 0.6,
    "机器人": 0.4, "知识图谱": 0.4, "语料": 0.4, "科学智能": 0.6, "算法": 0.3, "自动驾驶": 0.3, "无人驾驶": 0.3,
}
# other spellings of a term, counted as that term: Taiwan usage (人工智慧) and Latin abbreviations
_SYNONYMS = {"人工智慧": "人工智能", "AIGC": "生成式", "AGI": "通用人工智能", "AI for Science": "科学智能",
             "AI4S": "科学智能", "LLM": "大语言模型"}
_LATIN_TERMS = re.compile(r"(?<![A-Za-z])(?:AI for Science|AI4S|AIGC|AGI|LLM)(?![A-Za-z])", re.I)
_TITLE_AI = re.compile(r"人工智能|人工智慧|(?<![A-Za-z])AI(?![A-Za-z])|AIGC|大模型|大语言模型|智能体|具身智能|人形机器人|"
                       r"智能机器人|多模态|机器学习|智能算力|智算|生成式|类脑|语料|科学智能")
# 算法 names AI in a title only for an industry or policy agenda (算法备案管理), not for a contest
_TITLE_AI_WEAK = re.compile(r"算法")
_AGENDA = re.compile(r"产业|发展|创新|应用|赋能|行动|规划|措施|政策|治理|管理|规定|建设")
# a sector's 智慧X agenda (智慧民航建设路线图) is a digital-transformation plan; a 智慧养老产品申报 notice is not
_TITLE_SMART = re.compile(r"智慧|智能化")  # 智能化改造 of a sector is its digital transformation
_TITLE_DIGITAL = re.compile(r"数字(?!人民币|化城市管理|城管)|新型基础设施|新基建|大数据|智慧城市|信息化|互联网\+|工业互联网|"
                            r"算力|云计算|数据要素|数据产业|数据基础设施|公共数据|数据资源|数据开放|元宇宙|数据中心|数智")
# AI-adjacent industries: a robot (机器人, 机器人+) plan is adjacent unless it names AI in its body
_TITLE_ADJACENT = re.compile(r"智能网联|自动驾驶|无人驾驶|智能制造|智能汽车|智能终端|脑机接口|智能传感|机器人")
_TITLE_TECH = re.compile(r"5G|区块链|物联网|虚拟现实|信息技术|信息通信|通信|科技|创新|软件|集成电路|芯片|半导体|智能制造|智能网联|智慧|电子信息|"
                         r"制造业|高新技术|新兴产业|未来产业|战略性|场景")

TOPICS: dict[str, tuple[str, ...]] = {
    "智能制造": ("智能制造", "工业互联网", "智能工厂", "数字化车间", "智能化改造"),
    "智能网联汽车": ("智能网联汽车", "自动驾驶", "无人驾驶", "车联网", "智能汽车"),
    "智能医疗": ("智能医疗", "智慧医疗", "医学影像", "辅助诊断", "辅助诊疗", "智能诊疗"),
    "智能机器人": ("机器人", "具身智能", "人形机器人"),
    "具身智能": ("具身智能", "人形机器人", "机器人大脑", "具身"),
    "芯片": ("芯片", "集成电路", "半导体", "GPU"),
    "算力": ("算力", "智算", "智算中心", "数据中心", "EFLOPS", "PFLOPS", "超算", "EFlops", "PFlops", "算力券", "算力网"),
    "大模型": ("大模型", "大语言模型", "通用人工智能", "生成式", "预训练", "AIGC", "基础模型", "行业模型", "垂类模型"),
    "智能体": ("智能体", "AI Agent"),
    "多模态": ("多模态",),
    "人工智能+": ("人工智能+", "AI+", "人工智能赋能", "赋能千行百业", "场景创新"),
    "数据要素": ("数据要素", "语料", "数据标注", "高质量数据集", "数据交易", "数据产业"),
    "AI for Science": ("AI for Science", "AI4S", "科学智能", "科研范式"),
    "人才": ("人才", "人才培养", "实训基地", "学科建设"),
    "资金扶持": ("补贴", "奖励", "资助", "扶持资金", "专项资金", "产业基金", "给予最高", "贴息"),
    "数据开放": ("数据开放", "公共数据", "数据共享", "数据集", "数据资源", "开放共享"),
    "伦理与安全": ("伦理", "隐私", "安全风险", "安全监管", "数据安全", "可信", "安全可控"),
    "智慧城市": ("智慧城市", "城市大脑", "智能政务", "智慧交通", "数字政府"),
    "智能教育": ("智能教育", "智慧教育", "人工智能课程", "人工智能教育"),
    "智慧农业": ("智慧农业", "智能农机", "数字农业"),
    "金融科技": ("智能金融", "金融科技", "智能投顾"),
}
# the specific words of current plans: one mention in the body is enough for their tag
DISTINCTIVE = frozenset({"具身智能", "人形机器人", "通用人工智能", "大模型", "大语言模型", "生成式", "AIGC", "智能体",
                         "多模态", "算力", "智算", "智算中心", "人工智能+", "数据要素", "语料", "高质量数据集",
                         "AI for Science", "AI4S", "科学智能", "智能网联汽车", "自动驾驶", "智能制造"})


@dataclass
class Relevance:
    label: str
    score: float
    evidence: list[dict[str, object]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "score": self.score, "evidence": self.evidence, "topics": self.topics}


_CHINESE_SYNONYMS = {k: v for k, v in _SYNONYMS.items() if not k.isascii()}
_TERM_RE = re.compile("|".join(sorted((re.escape(t) for t in [*AI_TERMS, *_CHINESE_SYNONYMS]), key=len, reverse=True)))
_LATIN_CANONICAL = {k.casefold(): v for k, v in _SYNONYMS.items() if k.isascii()}
# the terms that make AI the subject (density and spread are measured on them)
_CORE = ("人工智能", "通用人工智能", "大模型", "大语言模型", "AI", "智能体", "具身智能")
_WINDOW = 8


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _count_terms(body: str) -> Counter[str]:
    """Count AI terms that jieba keeps as (part of) one token.

    Only a small window around each candidate occurrence is segmented: the same check as segmenting the
    whole text (人工客服, 机器人工作站 never count as 人工智能), at a fraction of the cost.
    """
    counts: Counter[str] = Counter(_LATIN_CANONICAL[m.group(0).casefold()] for m in _LATIN_TERMS.finditer(body))
    for match in _TERM_RE.finditer(body):
        if match.group(0) == "AI" and (_latin(body[match.start() - 1:match.start()])
                                       or _latin(body[match.end():match.end() + 1])):
            continue
        lo = max(0, match.start() - _WINDOW)
        hi = min(len(body), match.end() + _WINDOW)
        offset = lo
        for token in tokens(body[lo:hi]):
            end = offset + len(token)
            if offset <= match.start() and match.end() <= end:
                term = _ai_term(token)
                if term:
                    counts[term] += 1
                break
            if offset > match.start():
                break
            offset = end
    return counts


@lru_cache(maxsize=65536)
def _ai_term(token: str) -> str | None:
    """The AI term a token is or contains (行业大模型 → 大模型, 人工智能+ → 人工智能, 人工智慧 → 人工智能)."""
    if token in AI_TERMS:
        return token
    if token in _CHINESE_SYNONYMS:
        return _CHINESE_SYNONYMS[token]
    if len(token) < 3:
        return None
    found = [term for term in [*AI_TERMS, *_CHINESE_SYNONYMS] if term in token and term != "AI"]
    if not found:
        return None
    longest = max(found, key=len)
    return _CHINESE_SYNONYMS.get(longest, longest)


def _snippet(text: str, term: str, width: int = 18) -> str:
    pos = text.find(term)
    if pos < 0:
        return ""
    return text[max(0, pos - width): pos + len(term) + width].replace("\n", " ")


def classify(title: str | None, notice_title: str | None, body: str) -> Relevance:
    """Label and score a document from its Simplified title(s) and body text."""
    heading = " ".join(t for t in (title, notice_title) if t)
    counts = _count_terms(body)
    # "AI" embedded in Latin words was already excluded by tokenisation; 人工智能+ counts as 人工智能
    weighted = sum(AI_TERMS[t] * n for t, n in counts.items())
    core = sum(counts[t] for t in _CORE)
    density = 1000.0 * core / max(len(body), 1)

    evidence: list[dict[str, object]] = []
    title_ai = _TITLE_AI.search(heading) if heading else None
    if heading and title_ai is None and _AGENDA.search(heading):
        title_ai = _TITLE_AI_WEAK.search(heading)
    title_digital = _TITLE_DIGITAL.search(heading) if heading else None
    if heading and title_digital is None and _AGENDA.search(heading):
        title_digital = _TITLE_SMART.search(heading)
    title_tech = _TITLE_TECH.search(heading) if heading else None
    for match in (title_ai, title_digital):
        if match:
            evidence.append({"term": match.group(0), "where": "title", "count": 1, "context": heading[:80]})
    for term, n in counts.most_common(8):
        evidence.append({"term": term, "where": "body", "count": n, "context": _snippet(body, term)})

    adjacent = _TITLE_ADJACENT.search(heading) if heading else None
    if title_ai and (_AGENDA.search(heading) or core >= 2):
        label = "yes"
    elif adjacent and adjacent.group(0) == "机器人" and _AGENDA.search(heading) and (
            core >= 2 or counts["人形机器人"] + counts["具身智能"] + counts["智能机器人"]):
        label = "yes"  # a robot plan that speaks of AI or of humanoid / embodied robots is an embodied-AI plan
    elif title_digital or (adjacent and (_AGENDA.search(heading) or core)):
        label = "borderline"
    elif core >= 10 and density >= 3 and _spread(body) >= 3:
        label = "yes"
    elif (title_tech and core >= 2) or (core >= 5 and density >= 1):
        label = "borderline"
    else:
        label = "no"
    body_strength = min(1.0, weighted / 30.0) * 0.5 + min(1.0, density / 6.0) * 0.5
    base = {"yes": 0.7, "borderline": 0.35, "no": 0.0}[label]
    span = {"yes": 0.3, "borderline": 0.3, "no": 0.3}[label]
    score = round(base + span * body_strength, 3)
    return Relevance(label=label, score=score, evidence=evidence, topics=topics_of(heading, body))


_CORE_RE = re.compile(r"人工智能|人工智慧|大模型|大语言模型|(?<![A-Za-z])AI(?![A-Za-z])|智能体|具身智能")


def _spread(body: str) -> int:
    """In how many quarters of the text AI is named: a plan about AI names it throughout, a news piece
    or a sector plan with one AI section only in one part."""
    size = max(len(body) // 4, 1)
    return sum(1 for i in range(4) if _CORE_RE.search(body, i * size, (i + 1) * size + 8))


def topics_of(heading: str, body: str) -> list[str]:
    """Tags whose terms occur twice in the body, once as a distinctive term, or once in the title."""
    found = []
    for topic, terms in TOPICS.items():
        hits = sum(body.count(term) * (2 if term in DISTINCTIVE else 1) for term in terms)
        if hits >= 2 or any(term in heading for term in terms):
            found.append(topic)
    return found
