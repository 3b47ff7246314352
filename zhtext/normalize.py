"""Folding Chinese text into the forms it is compared in — one family, each form built on the one before.

- ``fold_width``: NFKC (full-width ASCII → half-width, ideographic space → space; 〔〕 and 《》 kept);
- ``matching_form``: Simplified script (OpenCC t2s, character by character, so offsets line up with the
  original whenever the lengths agree): the form extraction patterns run on;
- ``squash``: width-folded, simplified, no whitespace, one bracket and dash style: the comparison key of
  printed strings (titles, 文号, issuers);
- ``display_form`` / ``canonical_form``: NFKC with whitespace collapsed (what users read) or removed (what
  two versions are compared in, so re-wrapping never counts as a change);
- ``keyword_form``: the canonical form case-folded: how a subscriber's keyword meets a document;
- ``unwrap``: a line break between two Han characters is a wrap (PDF dumps, <br> in pages), not a
  word boundary: the search index and queries join such lines;
- ``strip_pinyin_glosses``: re-post sites that print the pinyin of characters in brackets after them
  (關(guān)于印發(fā)) — noise to drop before any of the forms above.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WHITESPACE = re.compile(r"\s+")
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_WRAP = re.compile(rf"(?<=[{_HAN}])[ \t\u3000]*\n[ \t\u3000]*(?=[{_HAN}])")
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# a bracketed syllable right after a Han character, with a tone mark (so (AI), (px) or (VOCs) never match)
_PINYIN_GLOSS = re.compile(rf"(?<=[{_HAN}])[(（]\s?(?=[a-zü{_TONED}]*[{_TONED}])[a-zü{_TONED}]{{1,7}}\s?[)）]")

@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s, character level); a no-op on Simplified text."""
    return _t2s().convert(text) if text else text


def fold_width(text: str) -> str:
    """NFKC: full-width ASCII → half-width, ideographic space → space; keeps 〔〕 and 《》."""
    return unicodedata.normalize("NFKC", text)


def matching_form(text: str) -> str:
    """The form extraction patterns run on: Simplified script, same length as ``text`` when possible."""
    simplified = to_simplified(text)
    # 於/于 and 關於 variants: t2s already maps them; 陜 is a variant of 陕 that t2s leaves alone.
    return simplified.replace("陜", "陕")


_SQUASH = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "﹝": "〔", "﹞": "〕", "—": "-", "–": "-",
                         "~": "-", "～": "-", "<": "〈", ">": "〉", "（": "(", "）": ")"})


def squash(text: str | None) -> str:
    """Comparison key: NFKC, simplified, no whitespace, unified brackets and dashes."""
    if not text:
        return ""
    return squash_matching(matching_form(fold_width(text)))


def squash_matching(text: str) -> str:
    """``squash`` of a text already in the matching form (skips the script conversion: hot loops)."""
    return _WHITESPACE.sub("", text).translate(_SQUASH)


def display_form(text: str) -> str:
    """NFKC with whitespace runs collapsed to one space and the ends stripped."""
    return _WHITESPACE.sub(" ", fold_width(text)).strip()


def canonical_form(text: str) -> str:
    """NFKC with every whitespace character removed: the form two versions are compared in."""
    return _WHITESPACE.sub("", fold_width(text))


def keyword_form(text: str) -> str:
    """The canonical form, case-folded: PDF extraction breaks lines inside words, and AI ≡ ai."""
    return canonical_form(text).casefold()


def strip_pinyin_glosses(text: str) -> str:
    """Drop bracketed pinyin printed after characters: 關(guān)于印發(fā) → 關于印發, 社會(huì )主义 → 社會主义."""
    return _PINYIN_GLOSS.sub("", text)


def unwrap(text: str) -> str:
    """Join lines broken between two Han characters (人工智\\n能 → 人工智能)."""
    return _WRAP.sub("", text)
