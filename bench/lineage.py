"""Lineage lookup among 100,000 stored documents against exact Jaccard over all of them
(``make bench-lineage``; ``python -m bench.lineage [COUNT] [QUERIES]``).

The archive is ``bench.archive_corpus`` (deterministic: one seeded RNG over ../shared texts). Its lineage
sketches take minutes to compute the first time and are cached outside git under
``~/.cache/policywatch/`` (keyed by count and sketch parameters); later runs load them.

- ours: ``LineageIndex.find_borrowings`` — what the store stage asks for every new version: LSH
  candidates from chunk MinHashes, then the exact share of text found in each candidate;
- baseline: exact Jaccard of character 5-shingles between the query and every stored document
  (vectorised with numpy over one array of every document's shingle hashes — a fair brute force).

Queries are new texts built from a stored document (60% of its paragraphs kept, others from elsewhere):
the "recall" figure says how often ours finds the document the exact method ranks first.
"""

from __future__ import annotations

import random
import statistics
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.archive_corpus import documents
from consumers.diffing.lineage import LineageIndex
from consumers.diffing.shingles import NUM_PERM, PASSAGE_GRAM, SHINGLE, sketch_text

CACHE = Path.home() / ".cache" / "policywatch"
GOAL_MS = 100.0
_LEN = struct.Struct("<I")


def _cache_file(count: int) -> Path:
    return CACHE / f"lineage-{count}-p{NUM_PERM}-s{SHINGLE}-g{PASSAGE_GRAM}.sig"


def _texts(count: int) -> Iterator[tuple[int, str, str | None]]:
    for document, version in documents(count):
        yield int(document["id"]), str(version["text"]), document["region_code"]  # type: ignore[misc]


def signatures(count: int) -> list[bytes]:
    """Every document's lineage signature, from the cache or computed (and cached)."""
    path = _cache_file(count)
    if path.exists():
        data, found, offset = path.read_bytes(), [], 0
        while offset < len(data):
            (size,) = _LEN.unpack_from(data, offset)
            found.append(data[offset + 4 : offset + 4 + size])
            offset += 4 + size
        if len(found) == count:
            return found
    found = []
    started = time.perf_counter()
    for doc_id, text, _region in _texts(count):
        found.append(sketch_text(text).to_bytes())
        if doc_id % 10_000 == 0:
            print(f"  sketched {doc_id:,} of {count:,} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        for signature in found:
            handle.write(_LEN.pack(len(signature)))
            handle.write(signature)
    tmp.replace(path)
    return found


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's character 5-shingles (a polynomial over code points)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    hashed = np.zeros(len(codes) - SHINGLE + 1, dtype=np.uint64)
    prime = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            hashed = hashed * prime + codes[k : len(codes) - SHINGLE + 1 + k]
    return np.unique(hashed)


class ExactJaccard:
    """Every document's shingle set in one array; Jaccard of a query against all of them at once."""

    def __init__(self, texts: list[str]) -> None:
        parts = [shingle_hashes(text) for text in texts]
        self.sizes = np.array([len(p) for p in parts], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        self.hashes = np.concatenate(parts)

    def top(self, text: str, k: int = 5) -> list[tuple[int, float]]:
        query = shingle_hashes(text)
        if not len(query):
            return []
        where = np.minimum(np.searchsorted(query, self.hashes), len(query) - 1)
        hit = (query[where] == self.hashes).astype(np.int64)
        inter = np.add.reduceat(hit, self.starts)
        inter[self.sizes == 0] = 0
        union = self.sizes + len(query) - inter
        jaccard = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        best = np.argsort(-jaccard, kind="stable")[:k]
        return [(int(i) + 1, float(jaccard[i])) for i in best]


def queries(count: int, how_many: int) -> list[tuple[int, str]]:
    """New texts each borrowing 60% of one stored document's paragraphs (the rest from others)."""
    rng = random.Random(7)
    texts = {doc_id: text for doc_id, text, _ in _texts(count)}
    ids = list(texts)
    chosen = rng.sample(ids, how_many)
    made = []
    for source in chosen:
        paragraphs = texts[source].splitlines()
        kept = [p for p in paragraphs if rng.random() < 0.6] or paragraphs[:1]
        other = texts[rng.choice(ids)].splitlines()
        mixed = kept + rng.sample(other, min(len(other), max(1, len(kept) // 2)))
        rng.shuffle(mixed)
        made.append((source, "\n".join(mixed)))
    return made


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def main(count: int = 100_000, ours_queries: int = 200, baseline_queries: int = 20) -> int:
    started = time.perf_counter()
    sigs = signatures(count)
    print(f"signatures ready: {len(sigs):,} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    index = LineageIndex()
    build = time.perf_counter()
    regions: dict[int, str | None] = {}
    for (doc_id, _text, region), signature in zip(_texts(count), sigs, strict=True):
        index.add_signature(doc_id, signature, {"region_code": region})
        regions[doc_id] = region
    build_s = time.perf_counter() - build
    print(f"lineage index built in {build_s:.0f} s", file=sys.stderr, flush=True)
    asked = queries(count, ours_queries)

    ours_times, found_sets = [], []
    for _source, text in asked:
        t0 = time.perf_counter()
        found = index.find_borrowings(None, text, None)
        ours_times.append(time.perf_counter() - t0)
        found_sets.append({b.document_id for b in found})

    texts = [text for _, text, _ in _texts(count)]
    exact = ExactJaccard(texts)
    del texts
    base_times, agree = [], 0
    for (_source, text), found in zip(asked[:baseline_queries], found_sets, strict=False):
        t0 = time.perf_counter()
        best = exact.top(text)
        base_times.append(time.perf_counter() - t0)
        agree += best[0][0] in found

    ours_p50, ours_p95 = _ms(ours_times)
    base_p50, base_p95 = _ms(base_times)
    verdict = "met" if ours_p95 <= GOAL_MS else "MISSED"
    print(f"lineage lookup among {count:,} generated documents ({sum(exact.sizes):,} shingles)")
    print(f"  ours  (LSH candidates + exact share): median {ours_p50:8.2f} ms  p95 {ours_p95:8.2f} ms  ({len(ours_times)} lookups)")
    print(f"  exact Jaccard over all documents:     median {base_p50:8.2f} ms  p95 {base_p95:8.2f} ms  ({len(base_times)} lookups)")
    print(f"  ratio (median, ours / exact): {ours_p50 / base_p50:.4f}  —  {base_p50 / ours_p50:.0f}x faster")
    print(f"  the exact method's best match found by ours: {agree}/{len(base_times)}")
    print(f"  goal ≤ {GOAL_MS:.0f} ms per lookup (p95): {verdict}; index build from cached signatures {build_s:.0f} s")
    return 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    raise SystemExit(main(*args))
