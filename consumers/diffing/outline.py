"""Clause sections: which outline clause each paragraph belongs to.

When the analysis carries an outline (nodes {"id","number","heading","text","children"}), clause ids
are stable across small edits, so aligning clause by clause keeps a renumbered or reworded section
from being reported as deleted and re-added. Without an outline, printed headings (一、 / (一) / 1.)
still give each change a readable clause label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from consumers.diffing.paragraphs import HEADING_PATTERN, Paragraph, split_paragraphs
from zhtext.normalize import canonical_form

LABEL_CHARS = 40


@dataclass(slots=True)
class Section:
    """Consecutive paragraphs under one clause; key is the clause id (None: preamble / no outline)."""

    key: str | None
    label: str | None
    heading_key: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    label: str
    heading_key: str
    anchors: tuple[str, ...]


def _flatten(nodes: Iterable[Any]) -> list[Mapping[str, Any]]:
    flat: list[Mapping[str, Any]] = []
    for node in nodes:
        if isinstance(node, Mapping):
            flat.append(node)
            flat.extend(_flatten(node.get("children") or ()))
    return flat


def clauses_of(outline: Sequence[Any] | None) -> list[Clause]:
    """Outline nodes with the canonical strings that mark where each clause starts in the text."""
    result: list[Clause] = []
    for node in _flatten(outline or ()):
        if node.get("id") is None:
            continue
        # The printed numbering: "number" in the documented shape, "label" (一、) in consumers.analysis.
        number = node.get("number")
        number = number if isinstance(number, str) else str(node.get("label") or "")
        heading = str(node.get("heading") or "")
        text = str(node.get("text") or "")
        anchors = [canonical_form(number + heading), canonical_form(heading)]
        first = split_paragraphs(text)
        if first:
            # The heading line as printed: numbering + the first line of the clause's own text.
            anchors += [canonical_form(number) + first[0].key, first[0].key]
        anchors = [a for a in anchors if len(a) >= 2]
        label = (number + heading).strip() or (first[0].text[:LABEL_CHARS] if first else str(node["id"]))
        result.append(Clause(str(node["id"]), label, canonical_form(heading), tuple(anchors)))
    return result


def heading_label(paragraph: Paragraph) -> str | None:
    """The lead of a numbered paragraph (一、指导思想 / 1.加强基础理论研究) or None."""
    if HEADING_PATTERN.match(paragraph.key) is None:
        return None
    lead = paragraph.text.split("。", 1)[0]
    return lead[:LABEL_CHARS]


def sectionise(paragraphs: list[Paragraph], outline: Sequence[Any] | None) -> list[Section]:
    """Group paragraphs by outline clause; one unlabeled section when there is no usable outline."""
    clauses = clauses_of(outline)
    anchor_to_clause: dict[str, Clause] = {}
    for clause in clauses:
        for anchor in clause.anchors:
            anchor_to_clause.setdefault(anchor, clause)
    sections: list[Section] = [Section(None, None, None)]
    for paragraph in paragraphs:
        clause = anchor_to_clause.get(paragraph.key)
        if clause is None and HEADING_PATTERN.match(paragraph.key):
            # A heading line printed with its body ("1.加强基础理论研究。聚焦…") still anchors.
            clause = anchor_to_clause.get(paragraph.key.split("。", 1)[0])
        if clause is not None and clause.id != sections[-1].key:
            sections.append(Section(clause.id, clause.label, clause.heading_key))
        sections[-1].paragraphs.append(paragraph)
    return [s for s in sections if s.paragraphs]
