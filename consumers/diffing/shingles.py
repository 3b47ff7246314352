"""Sketches of a document for lineage: chunk MinHashes (for candidates) and a passage-gram set
(for the exact borrowed share), with a compact byte encoding the store can persist.

MinHash is over character 5-shingles of canonical text, hashed with xxh32 (Python's hash() is
salted per process and would make stored signatures useless). Chunks follow paragraphs, merged up to
a minimum size, because borrowing happens paragraph by paragraph: a plan that lifts a third of
another shares few shingles overall but many whole chunks.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np
import xxhash
from datasketch import MinHash

from consumers.diffing.paragraphs import split_paragraphs

SHINGLE = 5
NUM_PERM = 64
SEED = 20_181_206
SCHEME = "affine32"
# A borrowed passage is a run of at least this many characters found verbatim in the other document;
# shorter runs are stock phrases (人工智能产业发展) that every plan shares.
PASSAGE_GRAM = 12
MIN_CHUNK_CHARS = 80
_MAGIC = b"PWL1"
_HEADER = struct.Struct("<4sIIIII")  # magic, num_perm, seed, shingle, passage_gram, chunk count


@dataclass(frozen=True)
class Sketch:
    """What the index keeps per document: chunk MinHash values and the passage-gram hash set."""

    chunk_hashvalues: np.ndarray  # (chunks, NUM_PERM) uint32
    passage_hashes: np.ndarray  # sorted unique uint32

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(_MAGIC, NUM_PERM, SEED, SHINGLE, PASSAGE_GRAM, len(self.chunk_hashvalues))
        # Sorted hashes stored as gaps: their high bytes are mostly zero, which zlib packs well.
        gaps = np.diff(self.passage_hashes.astype(np.int64), prepend=0).astype("<u4")
        body = self.chunk_hashvalues.astype("<u4").tobytes() + gaps.tobytes()
        return header + zlib.compress(body, 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sketch:
        magic, num_perm, seed, shingle, gram, chunks = _HEADER.unpack_from(data)
        if (magic, num_perm, seed, shingle, gram) != (_MAGIC, NUM_PERM, SEED, SHINGLE, PASSAGE_GRAM):
            raise ValueError("lineage signature was made with other parameters; rebuild it from the text")
        body = np.frombuffer(zlib.decompress(data[_HEADER.size :]), dtype="<u4")
        split = chunks * NUM_PERM
        passages = np.cumsum(body[split:].astype(np.uint64)).astype(np.uint32)
        return cls(body[:split].reshape(chunks, NUM_PERM).astype(np.uint32), passages)

    def minhashes(self) -> list[MinHash]:
        return [_minhash(hashvalues=row) for row in self.chunk_hashvalues]


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest).permutations


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=xxhash.xxh32_intdigest,
        hashvalues=hashvalues,
        permutations=_PERMUTATIONS,
        scheme=SCHEME,
    )


def chunks_of(text: str) -> list[str]:
    """Canonical paragraphs merged until each chunk has at least MIN_CHUNK_CHARS characters."""
    chunks: list[str] = []
    current = ""
    for paragraph in split_paragraphs(text):
        current += paragraph.key
        if len(current) >= MIN_CHUNK_CHARS:
            chunks.append(current)
            current = ""
    if current:
        if chunks and len(current) < MIN_CHUNK_CHARS // 2:
            chunks[-1] += current
        else:
            chunks.append(current)
    return chunks


def chunk_minhash(chunk: str) -> MinHash:
    """MinHash of one chunk's character 5-shingles (update_batch: one numpy pass per chunk)."""
    m = _minhash()
    encoded = [chunk[i : i + SHINGLE].encode("utf-8") for i in range(max(1, len(chunk) - SHINGLE + 1))]
    m.update_batch(encoded)
    return m


def gram_hashes(canonical: str, size: int = PASSAGE_GRAM) -> list[int]:
    """xxh32 of every `size`-character window, in text order (index i ↔ canonical[i:i+size])."""
    digest = xxhash.xxh32_intdigest
    return [digest(canonical[i : i + size].encode("utf-8")) for i in range(len(canonical) - size + 1)]


def sketch_text(text: str) -> Sketch:
    """Build the persisted sketch of a document from its text."""
    chunks = chunks_of(text)
    hashvalues = (
        np.vstack([chunk_minhash(c).hashvalues for c in chunks]).astype(np.uint32)
        if chunks
        else np.zeros((0, NUM_PERM), dtype=np.uint32)
    )
    passages = np.unique(np.array(gram_hashes("".join(chunks)), dtype=np.uint32))
    return Sketch(hashvalues, passages)
