"""Lineage: which stored documents a new text borrows from, and how much.

Two steps, because MinHash answers "similar?" but the share must be exact:
1. candidates: each document is indexed as chunk-level MinHashes in a MinHashLSH, so a plan that
   lifts whole paragraphs from another is found even when whole-document Jaccard is low (a third
   borrowed gives a Jaccard far below any useful threshold);
2. share: for each candidate, the fraction of the new text's characters that lie in passages of at
   least PASSAGE_GRAM characters found verbatim in the candidate, from the candidate's stored
   passage-gram hash set, so the index works from persisted signatures without the texts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHashLSH

from consumers.diffing.paragraphs import split_paragraphs
from consumers.diffing.shingles import (
    NUM_PERM,
    PASSAGE_GRAM,
    Sketch,
    chunk_minhash,
    chunks_of,
    gram_hashes,
    sketch_text,
)

# Paragraph-sized chunks that were borrowed with light edits keep a 5-shingle Jaccard well above this.
LSH_THRESHOLD = 0.3
MIN_SHARE = 0.05
MAX_PASSAGES = 3
PASSAGE_PREVIEW_CHARS = 120


@dataclass(frozen=True, slots=True)
class Borrowing:
    """Text of the new document found in an earlier one.

    share: fraction of the new text's characters inside verbatim shared passages (≥ PASSAGE_GRAM chars);
    paragraph_share: fraction of its paragraphs at least half made of such passages.
    """

    document_id: int
    share: float
    paragraph_share: float
    passages: tuple[str, ...]
    same_region: bool
    region_code: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "document_id": self.document_id,
            "share": self.share,
            "paragraph_share": self.paragraph_share,
            "passages": list(self.passages),
            "same_region": self.same_region,
            "region_code": self.region_code,
        }


def signature_bytes(text: str) -> bytes:
    """The persisted form of a document's lineage sketch (a few tens of KB for a 40k-char plan)."""
    return sketch_text(text).to_bytes()


def from_signature_bytes(data: bytes) -> Sketch:
    """Inverse of signature_bytes; raises ValueError for signatures made with other parameters."""
    return Sketch.from_bytes(data)


def region_of(meta: Mapping[str, Any]) -> str | None:
    """Region code from a flat row (region_code) or an analysis-shaped dict (region.code)."""
    code = meta.get("region_code")
    region = meta.get("region")
    if code is None and isinstance(region, Mapping):
        code = region.get("code")
    return str(code) if code else None


@dataclass(frozen=True, slots=True)
class _Query:
    """The new text prepared once for all candidates: canonical text, gram hashes, paragraph bounds."""

    canonical: str
    grams: np.ndarray
    unique_grams: np.ndarray
    gram_slots: np.ndarray
    bounds: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, text: str) -> _Query:
        keys = [p.key for p in split_paragraphs(text)]
        bounds, start = [], 0
        for key in keys:
            bounds.append((start, start + len(key)))
            start += len(key)
        canonical = "".join(keys)
        grams = np.array(gram_hashes(canonical), dtype=np.uint32)
        unique, slots = np.unique(grams, return_inverse=True)
        return cls(canonical, grams, unique, slots, tuple(bounds))

    def covered(self, passage_hashes: np.ndarray) -> np.ndarray:
        """Boolean mask over canonical characters inside a gram present in the other document."""
        if not len(passage_hashes) or not len(self.grams):
            return np.zeros(len(self.canonical), dtype=bool)
        # Both sides sorted and unique: one binary search per distinct gram, then back to positions.
        slots = np.minimum(np.searchsorted(passage_hashes, self.unique_grams), len(passage_hashes) - 1)
        hits = (passage_hashes[slots] == self.unique_grams)[self.gram_slots]
        marks = np.zeros(len(self.canonical) + 1, dtype=np.int32)
        starts = np.flatnonzero(hits)
        marks[starts] += 1  # starts are distinct, so fancy-index += is exact
        marks[starts + PASSAGE_GRAM] -= 1
        return np.cumsum(marks[:-1]) > 0

    def paragraph_share(self, mask: np.ndarray) -> float:
        """Fraction of paragraphs at least half made of borrowed characters."""
        starts = np.array([s for s, _ in self.bounds], dtype=np.intp)
        lengths = np.array([e - s for s, e in self.bounds])
        borrowed = np.add.reduceat(mask.astype(np.int32), starts)
        return float(np.mean(borrowed * 2 >= lengths))

    def passages(self, mask: np.ndarray, limit: int) -> tuple[str, ...]:
        """The longest borrowed runs, cut at paragraph ends, longest first, trimmed for display."""
        first = np.zeros(len(mask), dtype=bool)
        last = np.zeros(len(mask), dtype=bool)
        first[[s for s, _ in self.bounds]] = True
        last[[e - 1 for _, e in self.bounds]] = True
        before = np.concatenate(([False], mask[:-1]))
        after = np.concatenate((mask[1:], [False]))
        starts = np.flatnonzero(mask & (~before | first))
        ends = np.flatnonzero(mask & (~after | last)) + 1
        order = np.lexsort((starts, starts - ends))[:limit]
        shown = []
        for s, e in zip(starts[order], ends[order], strict=True):
            passage = self.canonical[s:e]
            shown.append(
                passage if len(passage) <= PASSAGE_PREVIEW_CHARS else passage[:PASSAGE_PREVIEW_CHARS] + "…"
            )
        return tuple(shown)


class LineageIndex:
    """In-memory lineage index over stored documents; rebuilt at start from persisted signatures."""

    def __init__(self, threshold: float = LSH_THRESHOLD, min_share: float = MIN_SHARE) -> None:
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._min_share = min_share
        self._sketches: dict[int, Sketch] = {}
        self._meta: dict[int, dict[str, Any]] = {}
        self._keys: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._sketches)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._sketches

    def add(self, doc_id: int, text: str, meta: Mapping[str, Any]) -> bytes:
        """Index a document; returns its signature bytes so the caller can persist them."""
        sketch = sketch_text(text)
        self._add_sketch(doc_id, sketch, meta)
        return sketch.to_bytes()

    def add_signature(self, doc_id: int, signature: bytes, meta: Mapping[str, Any]) -> None:
        """Index a document from stored signature bytes, without its text."""
        self._add_sketch(doc_id, from_signature_bytes(signature), meta)

    def _add_sketch(self, doc_id: int, sketch: Sketch, meta: Mapping[str, Any]) -> None:
        if doc_id in self._sketches:
            self.remove(doc_id)
        keys = [f"{doc_id}:{i}" for i in range(len(sketch.chunk_hashvalues))]
        for key, minhash in zip(keys, sketch.minhashes(), strict=True):
            self._lsh.insert(key, minhash)
        self._sketches[doc_id] = sketch
        self._meta[doc_id] = dict(meta)
        self._keys[doc_id] = keys

    def remove(self, doc_id: int) -> None:
        """Forget a document (taken down, or superseded by a new version indexed under the same id)."""
        for key in self._keys.pop(doc_id, []):
            self._lsh.remove(key)
        self._sketches.pop(doc_id, None)
        self._meta.pop(doc_id, None)

    def candidates(self, text: str) -> list[int]:
        """Documents sharing at least one similar chunk with text, most shared chunks first."""
        hits: Counter[int] = Counter()
        for chunk in chunks_of(text):
            for key in self._lsh.query(chunk_minhash(chunk)):
                hits[int(str(key).split(":", 1)[0])] += 1
        return [doc_id for doc_id, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))]

    def sketch(self, doc_id: int) -> Sketch | None:
        return self._sketches.get(doc_id)

    def find_borrowings(
        self, doc_id: int | None, text: str, region_code: str | None, max_passages: int = MAX_PASSAGES
    ) -> list[Borrowing]:
        """Earlier documents this text borrows from (share ≥ min_share), largest share first."""
        query = _Query.of(text)
        if not query.canonical:
            return []
        found: list[Borrowing] = []
        for other in self.candidates(text):
            if other == doc_id:
                continue
            other_region = region_of(self._meta[other])
            borrowing = _borrowing(query, other, self._sketches[other], max_passages, self._min_share)
            if borrowing.share < self._min_share:
                continue
            found.append(
                Borrowing(
                    document_id=other,
                    share=borrowing.share,
                    paragraph_share=borrowing.paragraph_share,
                    passages=borrowing.passages,
                    same_region=region_code is not None and other_region == region_code,
                    region_code=other_region,
                )
            )
        found.sort(key=lambda b: (-b.share, b.document_id))
        return found


def _borrowing(
    query: _Query, other_id: int, other: Sketch, max_passages: int, min_share: float = 0.0
) -> Borrowing:
    """The share of the query's text found in ``other``; paragraphs and passages only from ``min_share`` up
    (most LSH candidates of a text full of common wording share less, and are dropped unread)."""
    mask = query.covered(other.passage_hashes)
    share = float(mask.sum()) / len(query.canonical) if query.canonical else 0.0
    if round(share, 4) < min_share:
        return Borrowing(other_id, round(share, 4), 0.0, (), False, None)
    return Borrowing(
        document_id=other_id,
        share=round(share, 4),
        paragraph_share=round(query.paragraph_share(mask), 4) if query.canonical else 0.0,
        passages=query.passages(mask, max_passages) if share else (),
        same_region=False,
        region_code=None,
    )


@dataclass(frozen=True, slots=True)
class SharedText:
    """Text two documents share, measured from each side: ``a_in_b`` is the share of a's text found
    verbatim in b, with a's passages; ``b_in_a`` the reverse. Exact, so the same whichever arrived first."""

    a_in_b: Borrowing
    b_in_a: Borrowing

    @property
    def largest(self) -> float:
        return max(self.a_in_b.share, self.b_in_a.share)


def shared_text(
    a_id: int, a_text: str, a_sketch: Sketch, b_id: int, b_text: str, b_sketch: Sketch,
    max_passages: int = MAX_PASSAGES,
) -> SharedText:
    """Both directions of text reuse between two documents (each text against the other's sketch)."""
    return SharedText(
        a_in_b=_borrowing(_Query.of(a_text), b_id, b_sketch, max_passages),
        b_in_a=_borrowing(_Query.of(b_text), a_id, a_sketch, max_passages),
    )
