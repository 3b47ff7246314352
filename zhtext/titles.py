"""Policy titles as keys: the form a citation's 《title》 and a stored document's title meet in.

A plan is cited by its own title, with or without its issuer prefix, in either script, and sometimes by
its covering notice (关于印发《…》的通知); ``title_key`` reduces all of these to one key.
"""

from __future__ import annotations

import re

from zhtext.normalize import squash

_NOTICE = re.compile(r"^.*?关于(?:印发|转发|公布|发布)?《(?P<inner>.+)》的(?:通知|决定|公告|通告)$")
_BOOK_MARKS = str.maketrans("", "", "《》〈〉<>“”\"'‘’")
# An issuer prefix: government bodies up to their 关于 ("XX市人民政府办公厅关于…" → "…").
_ISSUER_PREFIX = re.compile(r"^[\u4e00-\u9fff、]{2,60}?(?:人民政府|办公厅|办公室|委员会|厅|局|部|委)+关于")


def title_key(title: str | None) -> str:
    """Squashed title without covering notice, issuer prefix or book-title marks ('' for no title)."""
    if not title:
        return ""
    key = squash(title)
    notice = _NOTICE.match(key)
    if notice:
        key = notice.group("inner")
    key = key.translate(_BOOK_MARKS)
    return _ISSUER_PREFIX.sub("", key)
