"""Version diff and lineage against the obvious standard-library / exact baselines.

Diff rows: ``diff_versions`` vs ``difflib.SequenceMatcher(None, old, new).get_opcodes()`` on the same
two character sequences (difflib defaults, autojunk on), and vs ``difflib.ndiff`` on the lines.
Lineage rows: MinHash signature and LSH query vs exact character 5-shingle sets and Jaccard.
Revisions are made deterministically from the seed plans (number edits, inserted and deleted
paragraphs, reworded sentences, re-indentation), the way portals revise documents.
"""

from __future__ import annotations

import difflib
import random
import statistics
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from bench import Row
from consumers.diffing import LineageIndex, diff_versions
from consumers.diffing.shingles import sketch_text

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
CORPUS_SIZE = 200


def _seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def revise(text: str, seed: int) -> str:
    """A realistic revision: ~5% of paragraphs edited, one added, one dropped, indentation changed."""
    rng = random.Random(seed)
    lines = [line for line in text.splitlines() if line.strip()]
    for i in rng.sample(range(len(lines)), max(1, len(lines) // 20)):
        line = lines[i]
        digits = [k for k, c in enumerate(line) if c.isdigit()]
        if digits:
            k = rng.choice(digits)
            line = line[:k] + str((int(line[k]) + 1) % 10) + line[k + 1 :]
        else:
            cut = rng.randrange(len(line))
            line = line[:cut] + "进一步加强统筹协调," + line[cut:]
        lines[i] = line
    del lines[rng.randrange(len(lines))]
    lines.insert(
        rng.randrange(len(lines)),
        "支持企业开展大模型研发和应用,建设公共算力平台,到2025年算力规模达到10EFLOPS。",
    )
    return "\n".join("\u3000\u3000" + line.strip() for line in lines)


def _shingles(text: str) -> set[str]:
    canonical = "".join(unicodedata.normalize("NFKC", text).split())
    return {canonical[i : i + 5] for i in range(len(canonical) - 4)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _corpus(texts: list[str], size: int) -> list[str]:
    """Synthetic stored documents: paragraphs of the seeds recombined, so nothing is an exact copy."""
    rng = random.Random(7)
    paragraphs = [line for text in texts for line in text.splitlines() if len(line.strip()) > 20]
    return ["\n".join(rng.sample(paragraphs, 60)) for _ in range(size)]


def _diff_rows(texts: list[str]) -> list[Row]:
    pairs = [(t, revise(t, i)) for i, t in enumerate(texts)]
    big_old = "\n".join(texts[2:])  # three plans, ~40k characters
    big = [(big_old, revise(big_old, 99))]
    rows = []
    for name, cases in (("seed revisions", pairs), ("40k-char document", big)):
        chars = statistics.mean(len(old) for old, _ in cases)
        ours = statistics.mean(_seconds(lambda o=o, n=n: diff_versions(o, n)) for o, n in cases)
        matcher = statistics.mean(
            _seconds(lambda o=o, n=n: difflib.SequenceMatcher(None, o, n).get_opcodes(), 3) for o, n in cases
        )
        ndiff = statistics.mean(
            _seconds(lambda o=o, n=n: list(difflib.ndiff(o.splitlines(), n.splitlines())), 3)
            for o, n in cases
        )
        note = f"{len(cases)} diffs, ~{chars / 1000:.0f}k chars each"
        rows.append(
            Row(
                f"diff {name} vs SequenceMatcher chars",
                ours * 1e3,
                matcher * 1e3,
                "ms/diff",
                "difflib.SequenceMatcher(None, old, new).get_opcodes()",
                note,
            )
        )
        rows.append(
            Row(
                f"diff {name} vs ndiff lines",
                ours * 1e3,
                ndiff * 1e3,
                "ms/diff",
                "list(difflib.ndiff(old_lines, new_lines))",
                note,
            )
        )
    return rows


def _lineage_rows(texts: list[str]) -> list[Row]:
    rows = []
    sketch = statistics.mean(_seconds(lambda t=t: sketch_text(t)) for t in texts)
    exact = statistics.mean(_seconds(lambda t=t: _shingles(t)) for t in texts)
    rows.append(
        Row(
            "lineage signature per document",
            sketch * 1e3,
            exact * 1e3,
            "ms/doc",
            "exact 5-shingle set",
            "chunk MinHashes (64 perm) + 12-gram hash set",
        )
    )
    for size in (len(texts), CORPUS_SIZE):
        stored = texts if size == len(texts) else _corpus(texts, size)
        index = LineageIndex()
        for doc_id, text in enumerate(stored):
            index.add(doc_id + 100, text, {})
        sets = [_shingles(text) for text in stored]
        queries = texts
        ours = statistics.mean(
            _seconds(lambda q=q, i=index: i.find_borrowings(None, q, None), 3) for q in queries
        )
        cands = statistics.mean(_seconds(lambda q=q, i=index: i.candidates(q), 3) for q in queries)
        base = statistics.mean(
            _seconds(lambda q=q, s=sets: [_jaccard(_shingles(q), x) for x in s], 3) for q in queries
        )
        rows.append(
            Row(
                f"lineage query, {size} stored docs",
                ours * 1e3,
                base * 1e3,
                "ms/query",
                "exact 5-shingle Jaccard vs every stored doc",
                f"LSH candidates alone {cands * 1e3:.1f} ms; ours includes exact share",
            )
        )
    return rows


def run() -> list[Row]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return _diff_rows(texts) + _lineage_rows(texts)
