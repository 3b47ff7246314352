"""The document under analysis: cleaned original text plus its Simplified matching form, offset-aligned."""

from __future__ import annotations

from dataclasses import dataclass, field

from consumers.analysis.cleaning import clean_text
from zhtext.normalize import matching_form


@dataclass
class Doc:
    """``text`` is the cleaned original; ``m`` the matching form (Simplified). Spans index both."""

    text: str
    m: str
    line_spans: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def from_text(cls, raw: str) -> Doc:
        text = clean_text(raw)
        m = matching_form(text)
        spans = []
        pos = 0
        for line in m.split("\n"):
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return cls(text=text, m=m, line_spans=spans)

    @property
    def aligned(self) -> bool:
        return len(self.text) == len(self.m)

    def cut(self, start: int, end: int) -> str:
        """The original-script slice for a span found in the matching form."""
        return self.text[start:end] if self.aligned else self.m[start:end]
