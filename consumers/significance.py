"""Grading a change: editorial, wording, substantive or major, with the reasons a reader can check.

A moved comma and a doubled industry target are both "revised"; an analyst wants the second at
once and the first never. The grade reads the clause-aligned diff (``consumers.diffing``) and the
targets the analysis extracted, and keeps the highest finding:

- **major** 重大: a target moved, appeared or vanished (metric, old → new, year); an amount (元) or a
  deadline (年/月/日) changed; validity (effective/expiry date, plan period), issuer or 文号 changed;
  a clause carrying a target was added or removed; a document appeared or was taken down.
- **substantive** 实质性: an obligation word changed (鼓励 → 应当, 支持 → 必须); responsible units
  (牵头单位, 责任单位) changed; a clause or measure was added, removed or rewritten at length; another
  figure changed.
- **wording** 措辞: words changed without any of the above.
- **editorial** 编辑性: punctuation, formatting, renumbering, a one-character typo, paragraphs moved.

Reasons are Chinese with an English gloss, most important first, so the alert can print them as is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from consumers.diffing.numbers import unit_of
from consumers.diffing.summary import ChangeSummary, ParagraphChange, ParagraphRef
from core.significance import GRADE_LABELS, GRADES, grade_rank
from zhtext.normalize import canonical_form

MAX_REASONS = 12
EXCERPT = 40
# Longer rewrites than this (characters of new or removed content in one paragraph) change a measure.
MEASURE_CHARS = 20
# Obligation and encouragement words: swapping one changes what a government unit must do.
OBLIGATIONS = ("应当", "必须", "务必", "须", "鼓励", "支持", "引导", "可以", "不得", "严禁", "禁止",
               "原则上", "力争", "确保", "争取", "要求")
RESPONSIBILITY_MARKERS = re.compile(r"牵头单位|责任单位|配合单位|责任部门|牵头|负责")
TARGET_WORDS = re.compile(r"达到|突破|超过|以上|不低于|不少于|力争|实现|培育|建成|形成")
NUMBER_WITH_UNIT = re.compile(r"\d+(?:\.\d+)?[万亿千百]*(?:亿元|万元|元|家|个|项|人|%|PFLOPS|台|套)")
ORDINAL = re.compile(r"^[\s（(]*[一二三四五六七八九十百零〇\d]+[)）、.．\s]*$")
DEADLINE_CONTEXT = re.compile(r"前|底|期限|截止|之内|以内|完成")
MONEY_UNITS = ("亿元", "万元", "千元", "元", "美元")
DATE_UNITS = ("年", "月", "日")
_OBLIGATION_SET = frozenset(OBLIGATIONS) | {""}


@dataclass
class Significance:
    """The grade of one change and why, as stored in ``change.summary["significance"]``."""

    grade: str = "editorial"
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (grade, text)

    def add(self, grade: str, text: str) -> None:
        if (grade, text) not in self.reasons:
            self.reasons.append((grade, text))
        if grade_rank(grade) > grade_rank(self.grade):
            self.grade = grade

    def to_dict(self) -> dict[str, Any]:
        ordered = sorted(self.reasons, key=lambda r: -grade_rank(r[0]))  # stable: document order within a grade
        return {
            "grade": self.grade,
            "label": GRADE_LABELS[self.grade],
            "reasons": [text for _, text in ordered[:MAX_REASONS]],
        }


def grade_new(analysis: Mapping[str, Any] | None) -> dict[str, Any]:
    """A newly published document is major: every target, measure and unit in it is news."""
    sig = Significance()
    targets = [t for t in _list(analysis, "targets") if isinstance(t, Mapping)]
    detail = f"，含{len(targets)}项量化目标 with {len(targets)} targets" if targets else ""
    sig.add("major", f"新发布 new document{detail}")
    return sig.to_dict()


def grade_removal(reason: str) -> dict[str, Any]:
    """A document taken down from its site is major: it may have been withdrawn or replaced."""
    sig = Significance()
    sig.add("major", f"撤下 removed from its site：{reason}" if reason else "撤下 removed from its site")
    return sig.to_dict()


def grade_revision(
    diff: ChangeSummary,
    old_analysis: Mapping[str, Any] | None = None,
    new_analysis: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Grade a version diff (see the module docstring for the rules)."""
    sig = Significance()
    old, new = old_analysis or {}, new_analysis or {}
    for target in diff.targets:
        sig.add("major", _target_reason(target.metric, target.year, target.before, target.after))
    _metadata(sig, old, new)
    target_texts = _target_texts(old, new)
    for ref, sign in [(p, "added") for p in diff.added] + [(p, "removed") for p in diff.removed]:
        _clause(sig, ref, sign, target_texts)
    for change in diff.changed:
        _paragraph(sig, change)
    moved_targets = {(t.before, t.after) for t in diff.targets}
    for number in diff.numbers:
        if (number.before, number.after) not in moved_targets:  # a target's own figure is said once
            _number(sig, number.before, number.after, number.context)
    if _responsibilities(old) != _responsibilities(new) and (_list(old, "responsibilities") or _list(new, "responsibilities")):
        sig.add("substantive", "责任单位变化 responsible units changed")
    if diff.moved:
        sig.add("editorial", f"段落移动 paragraphs moved：{diff.moved}段")
    if not sig.reasons:
        sig.add("editorial", "仅格式差异 formatting only")
    return sig.to_dict()


def _target_reason(metric: str, year: int | None, before: str | None, after: str | None) -> str:
    when = f"（{year}年）" if year else ""
    if before is None:
        return f"新增目标 target added：{metric}{when} {after}"
    if after is None:
        return f"取消目标 target removed：{metric}{when} {before}"
    return f"目标变化 target changed：{metric} {before} → {after}{when}"


def _metadata(sig: Significance, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if not (old and new):
        return
    for key, label in (("expiry_date", "失效日期 expiry date"), ("effective_date", "生效日期 effective date"),
                       ("period", "规划期 plan period")):
        if _plain(old.get(key)) != _plain(new.get(key)):
            sig.add("major", f"有效期变化 validity changed：{label} {_plain(old.get(key)) or '无'} → {_plain(new.get(key)) or '无'}")
    if sorted(map(str, _list(old, "issuers"))) != sorted(map(str, _list(new, "issuers"))):
        before, after = "、".join(map(str, _list(old, "issuers"))), "、".join(map(str, _list(new, "issuers")))
        sig.add("major", f"发文机关变化 issuer changed：{before or '无'} → {after or '无'}")
    if (old.get("doc_number") or "") != (new.get("doc_number") or ""):
        sig.add("major", f"文号变化 document number changed：{old.get('doc_number') or '无'} → {new.get('doc_number') or '无'}")


def _clause(sig: Significance, ref: ParagraphRef, kind: str, target_texts: set[str]) -> None:
    words = {"added": ("新增", "added"), "removed": ("删除", "removed")}[kind]
    where = f"【{ref.clause}】" if ref.clause else ""
    excerpt = _excerpt(ref.text)
    body = canonical_form(ref.text)
    if _carries_target(body, target_texts):
        sig.add("major", f"{words[0]}含目标的条款 clause with a target {words[1]}：{where}{excerpt}")
    elif len(_content(ref.text)) >= MEASURE_CHARS // 2:
        sig.add("substantive", f"{words[0]}条款 clause {words[1]}：{where}{excerpt}")
    elif _content(ref.text):
        sig.add("wording", f"{words[0]}文字 words {words[1]}：{where}{excerpt}")
    else:
        sig.add("editorial", f"{words[0]}标点或序号 punctuation {words[1]}")


def _paragraph(sig: Significance, change: ParagraphChange) -> None:
    where = f"【{change.clause}】" if change.clause else ""
    obligations = _obligation_shift(change.before, change.after)
    if obligations:
        sig.add("substantive", f"义务措辞变化 obligation changed：{where}{obligations}")
    spans = [(s.before, s.after) for s in change.spans]
    if obligations and all(_content(b) in _OBLIGATION_SET and _content(a) in _OBLIGATION_SET for b, a in spans):
        return  # the swapped word is the whole edit
    if all(_is_numeric(b) and _is_numeric(a) for b, a in spans):
        return  # a figure edited inside the paragraph: graded by the number (and target) changes
    if all(_is_punctuation(b) and _is_punctuation(a) for b, a in spans):
        sig.add("editorial", f"标点调整 punctuation：{where}" + "；".join(f"{b or '∅'}→{a or '∅'}" for b, a in spans[:3]))
        return
    if all(ORDINAL.match(b or "0") and ORDINAL.match(a or "0") for b, a in spans) and _starts_with_edit(change):
        sig.add("editorial", f"序号调整 renumbering：{where}")
        return
    if not obligations and all(len(b) == len(a) == 1 and _is_han(b) and _is_han(a) for b, a in spans) and len(spans) <= 2:
        sig.add("editorial", f"错别字更正 typo fixed：{where}" + "；".join(f"{b}→{a}" for b, a in spans))
        return
    names_units = RESPONSIBILITY_MARKERS.search(change.after) or RESPONSIBILITY_MARKERS.search(change.before)
    if names_units and any(_content(b) or _content(a) for b, a in spans):
        sig.add("substantive", f"责任单位变化 responsible units changed：{where}{_edits(spans)}")
        return
    changed_chars = sum(max(len(_content(b)), len(_content(a))) for b, a in spans)
    if changed_chars >= MEASURE_CHARS:
        sig.add("substantive", f"措施调整 measure rewritten：{where}{_edits(spans)}")
    elif not obligations:
        sig.add("wording", f"措辞调整 wording：{where}{_edits(spans)}")


def _number(sig: Significance, before: str | None, after: str | None, context: str) -> None:
    token = after or before or ""
    unit = unit_of(token)
    text = f"{before or '无'} → {after or '无'}（{_excerpt(context, 24)}）"
    if any(unit.endswith(u) for u in MONEY_UNITS):
        sig.add("major", f"金额变化 amount changed：{text}")
    elif unit in DATE_UNITS and DEADLINE_CONTEXT.search(context):
        sig.add("major", f"期限变化 deadline changed：{text}")
    elif unit in DATE_UNITS:
        sig.add("substantive", f"日期变化 date changed：{text}")
    else:
        sig.add("substantive", f"数字变化 figure changed：{text}")


def _obligation_shift(before: str, after: str) -> str:
    """"鼓励 → 应当" when the obligation words of a paragraph differ, else ""."""
    old, new = _obligation_counts(before), _obligation_counts(after)
    if old == new:
        return ""
    gone = [w for w in old if old[w] > new.get(w, 0)]
    came = [w for w in new if new[w] > old.get(w, 0)]
    return f"{'、'.join(gone) or '∅'} → {'、'.join(came) or '∅'}"


def _obligation_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    rest = text
    for word in OBLIGATIONS:  # longest words are listed before the one-character 须 they contain
        counts[word] = rest.count(word)
        rest = rest.replace(word, "\0")
    return +counts


def _target_texts(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    texts = set()
    for target in _list(old, "targets") + _list(new, "targets"):
        if isinstance(target, Mapping) and target.get("text"):
            texts.add(canonical_form(str(target["text"])))
    return texts


def _carries_target(body: str, target_texts: set[str]) -> bool:
    if any(text and text in body for text in target_texts):
        return True
    return bool(NUMBER_WITH_UNIT.search(body) and TARGET_WORDS.search(body) and re.search(r"20\d\d年", body))


def _responsibilities(analysis: Mapping[str, Any]) -> str:
    return json.dumps(_list(analysis, "responsibilities"), ensure_ascii=False, sort_keys=True, default=str)


def _starts_with_edit(change: ParagraphChange) -> bool:
    return all(s.before_start <= 4 and s.after_start <= 4 for s in change.spans)


def _edits(spans: Iterable[tuple[str, str]]) -> str:
    shown = [f"〔{_excerpt(b, 16) or '∅'}→{_excerpt(a, 16) or '∅'}〕" for b, a in list(spans)[:2]]
    return "".join(shown)


def _is_punctuation(text: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PZS" or ch.isspace() for ch in text)


def _is_numeric(text: str) -> bool:
    """Digits and what numbers are written with (300, 1.5, 3-5, 20%), so the edit is a figure's."""
    return all(ch.isdigit() or ch in ".%-~—–" for ch in text)


def _is_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _content(text: str) -> str:
    """The characters that carry meaning: no punctuation, symbols or whitespace."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZS" and not ch.isspace())


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return "–".join(str(value.get(k)) for k in ("start", "end") if value.get(k) is not None)
    return "" if value is None else str(value)


def _list(analysis: Mapping[str, Any] | None, key: str) -> list[Any]:
    value = (analysis or {}).get(key)
    return list(value) if isinstance(value, list | tuple) else []


__all__ = ["GRADES", "Significance", "grade_new", "grade_removal", "grade_revision"]
