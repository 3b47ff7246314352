"""The region hierarchy as alerts need it, on top of the analysis stage's region module.

Alerts never keep their own region table: every name and code goes through
``consumers.analysis.region`` so a subscription for 广东省 and a document classified as
广州市南沙区 are compared with the same GB/T 2260 data the classifier used.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from consumers.analysis import region
from consumers.analysis.region import RegionRef


class UnknownRegion(ValueError):
    """A region name or code the region module does not know."""


class HasRegion(Protocol):
    """The region fields of a Document row."""

    region_code: str | None
    province: str | None
    city: str | None
    district: str | None


@lru_cache(maxsize=4096)
def _lookup(name_or_code: str) -> RegionRef | None:
    # Matching runs per (change, subscription); names repeat, so resolve each once per process.
    return region.lookup(name_or_code)


def resolve_region(name_or_code: str) -> RegionRef:
    """The region a subscription names (广东省, 深圳市, 广州市南沙区 or 440300)."""
    ref = _lookup(name_or_code.strip())
    if ref is None:
        raise UnknownRegion(f"unknown region {name_or_code!r} (use a GB/T 2260 name or 6-digit code)")
    return ref


def document_region(document: HasRegion) -> RegionRef | None:
    """The most specific region a document belongs to, or None when it cannot be placed.

    The code set by the classifier wins; names are the fallback, most specific first, with the
    city prefixed to a district because district names repeat across cities (e.g. 南沙区).
    """
    candidates: list[str] = []
    if document.region_code:
        candidates.append(document.region_code)
    city, district = document.city or "", document.district or ""
    if district:
        candidates.extend([f"{document.province or ''}{city}{district}", f"{city}{district}", district])
    if city:
        candidates.extend([f"{document.province or ''}{city}", city])
    if document.province:
        candidates.append(document.province)
    for candidate in candidates:
        ref = _lookup(candidate)
        if ref is not None:
            return ref
    return None


def region_within(ancestor: RegionRef, descendant: RegionRef) -> bool:
    """True when ``descendant`` is ``ancestor`` itself or lies inside it (广东省 ⊇ 广州市南沙区)."""
    return ancestor.code == descendant.code or region.contains(ancestor, descendant)
