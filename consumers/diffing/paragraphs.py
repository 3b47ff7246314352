"""Paragraphs as the version diff and lineage see them, and the bigram similarity that pairs them.

Each paragraph keeps two forms (``zhtext.normalize``): the *display* form (NFKC, whitespace collapsed)
is what users see in alerts, and the *canonical* form (NFKC, all whitespace removed) is what we
compare, so that re-wrapping, indentation and full/half-width punctuation never count as changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhtext.normalize import canonical_form, display_form

# Lines longer than this are cut into sentences: pages extracted from HTML sometimes put a whole
# section on one line, and a 3,000-character "paragraph" would hide where the change is.
MAX_PARAGRAPH_CHARS = 400

# Sentence ends after NFKC (full-width ！？； become ASCII; 。 stays).
_SENTENCE_END = re.compile(r"(?<=[。!?;])")
# Outline numbering as printed in Chinese policy documents: 一、 / (一) / 1. / 专栏3.
HEADING_PATTERN = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}\.(?!\d)|专栏\d+)"
)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a document: its display text and canonical comparison key."""

    index: int
    text: str
    key: str

    @property
    def is_heading(self) -> bool:
        """Short numbered lines (一、总体要求) that label the clause the following text belongs to."""
        return len(self.key) <= 40 and HEADING_PATTERN.match(self.key) is not None


def _split_long(line: str) -> list[str]:
    if len(line) <= MAX_PARAGRAPH_CHARS:
        return [line]
    # Every sentence becomes a unit: packing sentences into fixed-size pieces would shift every later
    # boundary when one sentence is inserted, and the whole tail would read as changed.
    return [sentence for sentence in _SENTENCE_END.split(line) if sentence.strip()]


def split_paragraphs(text: str) -> list[Paragraph]:
    """Lines are paragraphs (how policy text is laid out); over-long lines are cut at sentence ends."""
    paragraphs: list[Paragraph] = []
    for raw_line in text.splitlines():
        line = display_form(raw_line)
        if not line:
            continue
        for piece in _split_long(line):
            piece = piece.strip()
            key = canonical_form(piece)
            if key:
                paragraphs.append(Paragraph(len(paragraphs), piece, key))
    return paragraphs


def bigrams(key: str) -> frozenset[str]:
    """Character bigrams: a cheap similarity basis for pairing edited paragraphs."""
    if len(key) < 2:
        return frozenset((key,))
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets (0 when both are empty)."""
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0
