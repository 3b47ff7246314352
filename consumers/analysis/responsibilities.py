"""Who does what: 牵头单位 (lead) / 配合单位 (support) / 责任单位, 责任部门 (responsible) per clause.

Forms seen: ``(牵头单位:区委组织部、工科信局,配合单位:投促局)``, ``[责任部门:市国资委、金融办]``,
``(责任单位:市工信局、科技局)``, ``〔市生态环境局牵头,市发展和改革局、工业和信息化局参与〕`` and
``(市生态环境局、市场监管局牵头,…参与)``. Each record is attached to the innermost clause containing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .outline import Clause

_OPEN = "(（[［〔【"
_CLOSE = ")）]］〕】"
_ORG_END = re.compile(r"(?:局|委|办|厅|部|院|政府|中心|管委会|公司|室|处|会|单位|社|台|行|所|队|组|区|县|镇|街)[)）]?$|等$")
_TRIGGER = re.compile(r"牵头|配合|责任单位|责任部门|参与")
_LABELLED = re.compile(r"(?P<label>牵头单位|牵头部门|配合单位|配合部门|责任单位|责任部门|参与单位|协办单位|主办单位)\s*[:：]\s*"
                       r"(?P<names>[^;；:：]+?)(?=[,，;；]\s*(?:牵头|配合|责任|参与|协办|主办)|$)")
_VERBAL = re.compile(r"(?P<names>[^,，;；。]+?)(?P<role>牵头|参与|配合|负责落实|负责)(?=[,，;；。]|$)")
_ROLE = {"牵头单位": "lead", "牵头部门": "lead", "主办单位": "lead", "配合单位": "support", "配合部门": "support",
         "参与单位": "support", "协办单位": "support", "责任单位": "responsible", "责任部门": "responsible",
         "牵头": "lead", "参与": "support", "配合": "support", "负责落实": "responsible", "负责": "responsible"}


@dataclass
class Responsibility:
    clause_id: str | None
    text: str
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    start: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"clause_id": self.clause_id, "text": self.text, "lead": self.lead, "support": self.support,
                "responsible": self.responsible}


def _split_names(names: str) -> list[str]:
    names = re.sub(r"(?:等|等单位|等部门)$", "", names.strip().rstrip("、,，。 "))
    parts = []
    depth = 0
    current = ""
    for ch in names:  # split on 、 but not inside 市科技局(市知识产权局)
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        if ch in "、，," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    merged: list[str] = []
    for part in (p.strip() for p in parts if p.strip()):
        if merged and not _ORG_END.search(merged[-1]):
            merged[-1] = f"{merged[-1]}、{part}"  # 各区、县(市)政府 is one addressee
        else:
            merged.append(part)
    return [p for p in merged if len(p) <= 40]


def _parse_body(body: str) -> dict[str, list[str]] | None:
    roles: dict[str, list[str]] = {"lead": [], "support": [], "responsible": []}
    labelled = list(_LABELLED.finditer(body))
    if labelled:
        for match in labelled:
            roles[_ROLE[match["label"]]].extend(_split_names(match["names"]))
        return roles
    verbal = list(_VERBAL.finditer(body))
    if verbal and any(m["role"] in ("牵头",) for m in verbal):
        for match in verbal:
            names = _split_names(match["names"])
            if all(re.search(r"(?:局|委|办|厅|部|院|政府|中心|管委会|公司|室|处|单位)$", n) for n in names):
                roles[_ROLE[match["role"]]].extend(names)
        return roles if any(roles.values()) else None
    return None


def _innermost(clauses: list[Clause], pos: int) -> Clause | None:
    best = None
    for root in clauses:
        for clause in root.walk():
            if clause.start <= pos <= clause.end and (best is None or clause.start >= best.start):
                best = clause
    return best


def extract_responsibilities(text: str, outline: list[Clause]) -> list[Responsibility]:
    """Responsibility records in ``text`` (matching form), attached to the clauses of ``outline``."""
    found: list[Responsibility] = []
    for start, end in _bracket_spans(text):
        body = text[start + 1:end - 1]
        if not _TRIGGER.search(body):
            continue
        roles = _parse_body(re.split(r"。", body, maxsplit=1)[0])
        if not roles or not any(roles.values()):
            continue
        clause = _innermost(outline, start)
        found.append(Responsibility(clause_id=clause.id if clause else None, text=text[start:end],
                                    start=start, **roles))
    return found


def _bracket_spans(text: str, max_len: int = 300) -> list[tuple[int, int]]:
    """Outermost bracketed spans (any of () （） [] 〔〕 【】, nesting allowed), at most ``max_len`` long."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch in _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
            if depth == 0 and i + 1 - start <= max_len:
                spans.append((start, i + 1))
        elif ch == "\n":
            depth = 0
    return spans
