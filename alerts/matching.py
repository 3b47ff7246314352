"""Does a change concern a subscriber? The filter rules, in one place.

Rules (every dimension must pass; within a dimension any listed value is enough; an empty list
places no restriction):

- **change kind**: ``change.kind`` is one of ``change_kinds``.
- **AI relevance**: with ``ai_only`` (the default) only documents labelled ``yes`` match; borderline,
  ``no`` and unlabelled documents reach only subscribers with ``ai_only = false`` (archivists who
  want everything a watched column publishes). A borderline label means the classifier is unsure,
  and a consultancy would rather miss it than be paged for a road-safety notice.
- **region**: the document's region is one of the subscribed regions or lies inside one
  (广东省 ⊇ 深圳市, 广州市南沙区). A document that cannot be placed matches no region filter.
- **keywords**: a keyword occurs in the title or text, compared after NFKC folding and with all
  whitespace removed (PDF extraction breaks lines inside words).
- **topics**: a subscribed topic is among the document's topics (the analysis' topics if the
  document row has none).
- **admin levels, document types**: the document's ``admin_level`` / ``doc_type`` is one listed.
- **issuers**: a listed name occurs inside one of the document's issuers (深圳市人民政府 ⊇ 深圳市).
- **minimum AI relevance**: the document's AI score (else the analysis' ``ai.score``) is at least
  ``min_ai_score``; a document without a score does not pass.
- **minimum significance**: the change's grade (``change.summary["significance"]["grade"]``) ranks at
  least ``min_significance`` (editorial < wording < substantive < major); an ungraded change passes.

Keywords match on **word boundaries** (``keyword_mode = "word"``, the default): the keyword must end
where the segmented text (jieba) ends a word and begin where a word or one of its dictionary sub-words
begins. Chinese compounds put the head last, so a keyword matches a whole word or a word's head:
机器人 matches 工业机器人 (an industrial robot is a robot), 人工 does not match inside 人工智能, and
智能网联汽车 matches however jieba splits it. Only the neighbourhood of each occurrence is segmented
(a window of ``WORD_WINDOW`` characters each side), so the cost follows the occurrences, not the text
length. ``keyword_mode = "substring"`` matches anywhere, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

from core.errors import UnknownRegion
from core.significance import GRADES
from storage.models import Change, Document
from zhtext.normalize import keyword_form
from zhtext.regions import document_region, region_within, resolve_region
from zhtext.tokenize import tokenizer

log = logging.getLogger(__name__)

SIGNIFICANCE_RANK = {grade: rank for rank, grade in enumerate(GRADES)}  # the grades' one order: core.significance
WORD_WINDOW = 24
# Occurrences of one keyword checked for a word boundary before giving up (the first one found is enough).
MAX_OCCURRENCES = 50


class SubscriptionFilter(Protocol):
    """What matching reads from a subscription: a Subscription row and a SubscriptionSpec both fit."""

    regions: Sequence[str]
    keywords: Sequence[str]
    topics: Sequence[str]
    change_kinds: Sequence[str]
    ai_only: bool


def match_reasons(
    sub: SubscriptionFilter,
    document: Document,
    change: Change,
    version_analysis: Mapping[str, Any] | None,
    *,
    text: str = "",
) -> list[str] | None:
    """Why the subscription matches (short Chinese/English phrases for the alert), or None if it does not."""
    analysis = version_analysis or {}
    reasons: list[str] = []
    if sub.change_kinds and change.kind not in sub.change_kinds:
        return None
    if sub.ai_only and ai_label(document, analysis) != "yes":
        return None
    if sub.regions:
        region = _matching_region(sub.regions, document)
        if region is None:
            return None
        reasons.append(f"地区 region: {region}")
    if not _passes_document_filters(sub, document, change, analysis):
        return None
    if sub.keywords:
        haystack = _haystack(document.title or "", text)
        words = getattr(sub, "keyword_mode", "word") != "substring"
        hits = [kw for kw in sub.keywords if _keyword_hit(keyword_form(kw), haystack, words)]
        if not hits:
            return None
        reasons.append("关键词 keywords: " + "、".join(hits))
    if sub.topics:
        have = {keyword_form(topic) for topic in document_topics(document, analysis)}
        hits = [topic for topic in sub.topics if keyword_form(topic) in have]
        if not hits:
            return None
        reasons.append("主题 topics: " + "、".join(hits))
    if not reasons:
        reasons.append("全部 all documents")
    return reasons


def subscription_matches(
    sub: SubscriptionFilter,
    document: Document,
    change: Change,
    version_analysis: Mapping[str, Any] | None,
    *,
    text: str = "",
) -> bool:
    """True when ``change`` to ``document`` passes every filter of ``sub`` (rules in the module doc)."""
    return match_reasons(sub, document, change, version_analysis, text=text) is not None


@lru_cache(maxsize=8)
def _haystack(title: str, text: str) -> str:
    """The folded title and text keywords are looked for in; one change is matched against thousands of
    subscriptions, so its text is folded once, not once per subscription."""
    return keyword_form(f"{title}\n{text}")


def ai_label(document: Document, analysis: Mapping[str, Any]) -> str | None:
    """The document's AI label, falling back to the version analysis (``ai.label``)."""
    ai = analysis.get("ai")
    label = document.ai_label or (ai.get("label") if isinstance(ai, Mapping) else analysis.get("ai_label"))
    return str(label) if label else None


def document_topics(document: Document, analysis: Mapping[str, Any]) -> list[str]:
    """Topic names of the document, else of the analysis (``ai.topics``; strings or {name|label} dicts)."""
    ai = analysis.get("ai")
    raw = document.topics or (ai.get("topics") if isinstance(ai, Mapping) else None) or analysis.get("topics") or []
    names: list[str] = []
    for item in raw:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("label") or ""
        if item:
            names.append(str(item))
    return names


def _matching_region(wanted: Sequence[str], document: Document) -> str | None:
    place = document_region(document)
    if place is None:
        return None
    for name in wanted:
        try:
            ancestor = resolve_region(name)
        except UnknownRegion:
            # Spec validation rejects these; a row edited by hand must not stop the alert stage.
            log.warning("subscription region %r is unknown; ignored", name)
            continue
        if region_within(ancestor, place):
            return name
    return None




@lru_cache(maxsize=1024)
def _keyword_hit(keyword: str, haystack: str, words: bool) -> bool:
    """``keyword_in`` remembered per change text: thousands of subscriptions share a few keywords, and each
    word-boundary check segments the neighbourhood of every occurrence."""
    return keyword_in(keyword, haystack, words=words)


def keyword_in(keyword: str, haystack: str, *, words: bool = True) -> bool:
    """``keyword`` occurs in ``haystack`` (both in keyword form); with ``words`` only on word boundaries."""
    start = haystack.find(keyword)
    if not keyword or start < 0 or not words:
        return start >= 0 and bool(keyword)
    for _ in range(MAX_OCCURRENCES):
        if start < 0:
            return False
        if _on_word_boundaries(haystack, start, start + len(keyword)):
            return True
        start = haystack.find(keyword, start + 1)
    return False


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    left = max(0, start - WORD_WINDOW)
    window = text[left:min(len(text), end + WORD_WINDOW)]
    segmenter = tokenizer()
    word_ends = {stop for _, _, stop in segmenter.tokenize(window, HMM=False)}
    if end - left not in word_ends:
        return False
    starts = {begin for _, begin, _ in segmenter.tokenize(window, mode="search", HMM=False)}
    return start - left in starts


def _passes_document_filters(sub: SubscriptionFilter, document: Document, change: Change,
                             analysis: Mapping[str, Any]) -> bool:
    """Levels, types, issuers, minimum relevance and significance (read with defaults: older filter objects
    without these fields place no restriction)."""
    levels = getattr(sub, "admin_levels", None) or ()
    if levels and (document.admin_level or analysis.get("admin_level")) not in levels:
        return False
    types = getattr(sub, "doc_types", None) or ()
    if types and (document.doc_type or analysis.get("doc_type")) not in types:
        return False
    issuers = getattr(sub, "issuers", None) or ()
    if issuers:
        have = [keyword_form(str(name)) for name in document.issuers or analysis.get("issuers") or []]
        if not any(keyword_form(wanted) in name for wanted in issuers for name in have):
            return False
    min_score = getattr(sub, "min_ai_score", None)
    if min_score is not None:
        ai = analysis.get("ai")
        score = document.ai_score if document.ai_score is not None else (
            ai.get("score") if isinstance(ai, Mapping) else None)
        if score is None or float(score) < min_score:
            return False
    minimum = getattr(sub, "min_significance", None)
    if minimum:
        grade = (change.summary or {}).get("significance")
        grade = grade.get("grade") if isinstance(grade, Mapping) else None
        if grade in SIGNIFICANCE_RANK and SIGNIFICANCE_RANK[grade] < SIGNIFICANCE_RANK.get(minimum, 0):
            return False
    return True
