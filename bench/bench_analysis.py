"""Analysis throughput vs jieba tokenization alone, on the same texts in the same run.

Texts: the five seed plans, the 25 labeled excerpts and the plain-text blind cases (tests/fixtures/analysis). Both sides are warmed
up first (jieba's dictionary load and our user dictionary are one-off costs, not throughput). The ratio
ours/baseline is time per character; the budget is ≤ 2 (analysis within 2× of tokenization).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench import Row

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "analysis"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((FIXTURES / "seeds").glob("*.txt"))]
    texts += [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted((FIXTURES / "labeled").glob("d*.json"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "blind").glob("b*.txt"))]
    return texts


def _best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> list[Row]:
    import jieba

    from consumers.analysis import analyze

    texts = _texts()
    chars = sum(len(t) for t in texts)
    jieba.setLogLevel(60)
    jieba.initialize()
    for text in texts:  # warm both paths (dictionary loads, regex compilation, OpenCC)
        jieba.lcut(text)
        analyze(text)

    baseline = _best_of(5, lambda: [jieba.lcut(t) for t in texts])
    ours = _best_of(5, lambda: [analyze(t) for t in texts])
    return [
        Row(name="analysis throughput (chars/s)", ours=chars / ours, baseline=chars / baseline, unit="chars/s",
            baseline_name="jieba.lcut", note=f"{len(texts)} texts, {chars} chars"),
        Row(name="analysis time / tokenization time", ours=ours / baseline, baseline=2.0, unit="ratio",
            baseline_name="budget 2x", note="must stay <= 1.00 of budget"),
    ]
