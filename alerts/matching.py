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
- **significance**: with ``min_significance`` set, the change's grade (``change.summary["significance"]``,
  ``core.significance``) reaches it; a change recorded before grading existed always passes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

from core.errors import UnknownRegion
from core.significance import at_least
from storage.models import Change, Document
from zhtext.normalize import keyword_form
from zhtext.regions import document_region, region_within, resolve_region

log = logging.getLogger(__name__)


class SubscriptionFilter(Protocol):
    """What matching reads from a subscription: a Subscription row and a SubscriptionSpec both fit."""

    regions: Sequence[str]
    keywords: Sequence[str]
    topics: Sequence[str]
    change_kinds: Sequence[str]
    ai_only: bool
    min_significance: str


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
    if not at_least(change.summary, sub.min_significance):
        return None
    if sub.regions:
        region = _matching_region(sub.regions, document)
        if region is None:
            return None
        reasons.append(f"地区 region: {region}")
    if sub.keywords:
        haystack = _haystack(document.title or "", text)
        hits = [kw for kw in sub.keywords if keyword_form(kw) in haystack]
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


