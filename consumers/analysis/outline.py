"""The clause tree (outline) of a policy: 第一章 / 一、 / （一） / 第一条 / 1. / (1) / ① and 专栏N boxes.

Ids are numbering paths (``3.2.1`` = 三、→（二）→ 1.; ``art12`` for 第十二条, ``box3`` for 专栏3), so a clause
keeps its id when its wording changes; ``key`` is a hash of the normalised heading, for re-aligning clauses
when an insertion renumbers them. The diffing step aligns on both.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from zhtext.normalize import squash

_CN = "一二三四五六七八九十百零〇"
_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (kind, rank, pattern); a heading attaches under the nearest open heading of a smaller rank.
_KINDS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("chapter", 0, re.compile(rf"^\s*第(?P<n>[{_CN}\d]+)(?:章|部分|篇)\s*")),
    ("section", 1, re.compile(rf"^\s*(?P<n>[{_CN}]{{1,3}})\s*[、.．]\s*")),
    ("subsection", 2, re.compile(rf"^\s*[(（]\s*(?P<n>[{_CN}]{{1,3}})\s*[)）]\s*[、.．]?\s*")),
    ("article", 3, re.compile(rf"^\s*第(?P<n>[{_CN}\d]+)条\s*")),
    ("box", 7, re.compile(rf"^\s*专栏\s*(?P<n>[{_CN}\d]+)\s*[:：]?\s*")),
    ("item", 4, re.compile(r"^\s*(?P<n>\d{1,2})\s*[.．、](?!\d)\s*")),
    ("subitem", 5, re.compile(r"^\s*[(（]\s*(?P<n>\d{1,2})\s*[)）]\s*")),
    ("point", 6, re.compile(rf"^\s*(?P<n>[{_CIRCLED}])\s*")),
)
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*(?P<n>\d*)\s*[:：]?\s*(?P<rest>.*)$")
_ATTACHMENT_ITEM = re.compile(r"^\s*(?P<n>\d{1,2})\s*[.．、]\s*(?P<rest>\S.*)$")
_ID_PREFIX = {"chapter": "ch", "article": "art", "box": "box"}


def cn_number(text: str) -> int:
    """一 … 九十九 (and 百) or digits → int; circled numbers → their value."""
    if text.isdigit():
        return int(text)
    if text in _CIRCLED:
        return _CIRCLED.index(text) + 1
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_VALUE.get(ch, 0)
    return total + current


@dataclass
class Clause:
    id: str
    kind: str
    label: str
    number: int
    heading: str
    text: str
    start: int
    end: int
    key: str = ""
    children: list[Clause] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "heading": self.heading,
                "text": self.text, "key": self.key, "start": self.start, "end": self.end,
                "children": [c.to_dict() for c in self.children]}

    def walk(self):  # type: ignore[no-untyped-def]
        yield self
        for child in self.children:
            yield from child.walk()


def _heading_of(rest: str) -> str:
    first = re.split(r"[。；;]", rest, maxsplit=1)[0].strip()
    return first[:60]


def _match_heading(line: str) -> tuple[str, int, re.Match[str]] | None:
    for kind, rank, pattern in _KINDS:
        match = pattern.match(line)
        if match and line[match.end():].strip():
            return kind, rank, match
    return None


def parse_outline(text: str, matching: str | None = None) -> list[Clause]:
    """Clause tree of ``text``; ``matching`` (same length, Simplified) is used to recognise headings."""
    m = matching if matching is not None and len(matching) == len(text) else text
    roots: list[Clause] = []
    stack: list[tuple[int, Clause]] = []
    last_number: dict[tuple[str, str], int] = {}
    last_of_kind: dict[str, int] = {}
    in_attachment_list = False
    pos = 0
    for line in m.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if _ATTACHMENT.match(line):
            in_attachment_list = True
            continue
        if in_attachment_list and _ATTACHMENT_ITEM.match(line):
            continue
        in_attachment_list = False
        found = _match_heading(line)
        if found is not None:
            kind, rank, match = found
            number = cn_number(match["n"])
            while stack and stack[-1][0] >= rank:
                stack.pop()
            parent = stack[-1][1] if stack else None
            scope = (parent.id if parent else "", kind)
            expected = last_number.get(scope, 0) + 1
            # numbering must continue (or restart at 1, or open a partial excerpt) to count as a heading
            continues = number == last_of_kind.get(kind, 0) + 1  # items numbered across subsections
            if (number == expected or continues or (number <= 3 and scope not in last_number)
                    or kind in ("article", "box")):
                last_number[scope] = number
                last_of_kind[kind] = number
                prefix = _ID_PREFIX.get(kind, "")
                own = f"{prefix}{number}"
                cid = own if kind in ("article", "box", "chapter") or parent is None else f"{parent.id}.{own}"
                rest = text[start + match.end():end].strip()
                clause = Clause(id=cid, kind=kind, label=text[start:start + match.end()].strip(), number=number,
                                heading=_heading_of(rest), text=rest, start=start, end=end)
                clause.key = hashlib.sha1(squash(clause.heading).encode()).hexdigest()[:10]
                (parent.children if parent else roots).append(clause)
                stack.append((rank, clause))
                continue
        if stack and line.strip():
            node = stack[-1][1]
            node.text = f"{node.text}\n{text[start:end].strip()}" if node.text else text[start:end].strip()
            node.end = end
    _dedupe_ids(roots)
    for root in roots:
        _close_spans(root)
    return roots


def _dedupe_ids(roots: list[Clause]) -> None:
    """A repeated numbering (a second 一、 after an appendix) gets a ``~2`` suffix so ids stay unique."""
    seen: dict[str, int] = {}
    for root in roots:
        for clause in root.walk():
            if clause.id in seen:
                seen[clause.id] += 1
                clause.id = f"{clause.id}~{seen[clause.id]}"
            else:
                seen[clause.id] = 1


def _close_spans(clause: Clause) -> int:
    for child in clause.children:
        clause.end = max(clause.end, _close_spans(child))
    return clause.end


def attachments(text: str) -> list[str]:
    """Titles of the 附件 (attachments) listed in the text: ``附件：1. … 2. …`` or ``附件1：…``."""
    found: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = _ATTACHMENT.match(line)
        if not match:
            continue
        rest = match["rest"].strip()
        if rest:
            item = _ATTACHMENT_ITEM.match(rest)
            found.append((item["rest"] if item else rest).strip())
        for follow in lines[i + 1:i + 20]:
            if not follow.strip():  # pages render each <p> as a paragraph: items are blank-line separated
                continue
            item = _ATTACHMENT_ITEM.match(follow)
            if not item or len(item["rest"]) > 60 or re.search(r"[。；;]", item["rest"]):
                break
            found.append(item["rest"].strip())
    unique: list[str] = []
    for item in found:
        if item and item not in unique and len(item) <= 80:
            unique.append(item)
    return unique
