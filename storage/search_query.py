"""The archive's query language: what an archivist types, read into words and printed phrases.

* ``人工智能 补贴`` — terms separated by spaces; every term must occur (AND), anywhere in title or text.
* An unquoted term matches **words**: it is segmented like the text (jieba with the policy dictionary),
  and each word must occur as a word or a dictionary sub-word — 补贴 finds 财政补贴, 和平 does not find
  人工智能和平台. A term the dictionary cannot split into words of two or more characters (政办, 沈政办发,
  a single character) is matched as printed instead, as if quoted.
* ``"智能产业"`` (also “…”, 「…」, 『…』) matches **what is printed**, wherever it occurs: inside longer
  words (人工智能产业), across a line wrap. Punctuation and spaces inside the quotes stand for a boundary:
  "人工智能、大数据" also finds 人工智能，大数据 but not 人工智能大数据.
* Traditional and Simplified script, full- and half-width forms, upper and lower case are the same.
* Nothing else is syntax: brackets, operators, ``*``, ``:`` or ``-`` are ignored like punctuation, so no
  query can fail except one with nothing to search for, or one too long (``SearchError``).

A ``Word`` is matched in the word index, a ``Phrase`` in the character index (``storage.search_index``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import SearchError
from storage.search_index import RUN, run_tokens, searchable, segmenter

MAX_QUERY_CHARS = 500
MAX_TERMS = 24

_OPEN, _CLOSE = '"“「『', '"”」』'
_TERM = re.compile(rf'[{_OPEN}]([^{_CLOSE}]*)(?:[{_CLOSE}]|$)|([^\s{_OPEN}{_CLOSE}]+)')


@dataclass(frozen=True)
class Word:
    """A word of the word index (a jieba word or dictionary sub-word)."""

    word: str

    @property
    def printed(self) -> str:
        return self.word


@dataclass(frozen=True)
class Phrase:
    """Consecutive runs of letters and digits as printed, separated by punctuation or spaces."""

    runs: tuple[str, ...]

    @property
    def printed(self) -> str:
        return " ".join(self.runs)

    def tokens(self) -> tuple[list[str], bool]:
        """Character tokens that must follow one another, and whether the last is a prefix: inner runs are
        closed (their last character stands alone, as at the end of a run in the text), the last run is
        open, and a last run of one character is any token that starts with it."""
        tokens = [token for run in self.runs[:-1] for token in run_tokens(run)]
        last = self.runs[-1]
        if len(last) == 1:
            return [*tokens, last], True
        return tokens + run_tokens(last, closed=False), False


Term = Word | Phrase


def parse(query: str) -> list[Term]:
    """The terms of ``query`` in order, without repeats; [] for an empty query."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"query too long: at most {MAX_QUERY_CHARS} characters")
    folded = searchable(query).lower()
    terms: list[Term] = []
    for quoted, bare in _TERM.findall(folded):
        if quoted:
            found = RUN.findall(quoted)
            parts: list[Term] = [Phrase(tuple(found))] if found else []
        else:
            parts = []
            for run in RUN.findall(bare):
                words = segmenter().cut(run, False)
                if any(len(w) < 2 for w in words):
                    parts.append(Phrase((run,)))
                else:
                    parts.extend(Word(w) for w in words)
        terms.extend(part for part in parts if part not in terms)
    if not terms and folded.strip():
        raise SearchError("nothing to search for: the query has no letters or digits")
    if len(terms) > MAX_TERMS:
        raise SearchError(f"too many terms: at most {MAX_TERMS}")
    return terms


def fts5_match(terms: list[Term], title_only: bool = False) -> str:
    """The FTS5 MATCH expression: words in the word columns, phrases in the character columns (the title's
    alone with ``title_only``). Tokens are letters and digits only, always inside double quotes, so no FTS5
    syntax can come from the query."""
    words, chars = ("{title}", "{title_chars}") if title_only else ("{title body}", "{title_chars body_chars}")
    parts = []
    for term in terms:
        if isinstance(term, Word):
            parts.append(f'{words} : "{term.word}"')
        else:
            tokens, prefix = term.tokens()
            parts.append(f'{chars} : "{" ".join(tokens)}"' + (" *" if prefix else ""))
    return " AND ".join(parts)


def tsquery_text(tokens: list[str], prefix: bool) -> str:
    """A tsquery (input syntax) requiring every token: quoted lexemes, the last a prefix if asked."""
    quoted = ["'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in dict.fromkeys(tokens)]
    if prefix:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def highlight_pattern(terms: list[Term]) -> re.Pattern[str] | None:
    """What to mark in a snippet of the folded text: each word, each phrase with any non-letters at its
    boundaries; longest first, so 人工智能 is marked whole rather than 智能."""
    pieces = [(len(t.printed), r"[\W_]+".join(map(re.escape, t.runs)) if isinstance(t, Phrase) else re.escape(t.word))
              for t in terms]
    if not pieces:
        return None
    return re.compile("|".join(p for _, p in sorted(pieces, key=lambda x: -x[0])), re.IGNORECASE)
