"""Loading at start what the first document would otherwise wait for.

The analysis loads jieba's dictionaries, its part-of-speech model and OpenCC on first use (about 1.5 s on
2 cores), and the search index its Rust segmenter with the user dictionary. Done lazily, the first crawl
after a start pays for it in crawl-to-alert latency; done here, while the stages' consumers are still
joining their groups, it costs nothing that anyone waits for.
"""

from __future__ import annotations

import logging
import time

from consumers.analysis import analyze
from storage.search_index import index_words

log = logging.getLogger(__name__)

# A made-up notice in the shape of the plans the product watches: enough to touch every analyser.
SAMPLE = (
    "某市人民政府办公室关于印发某市新一代人工智能产业发展行动计划（2025—2027年）的通知\n"
    "某府办〔2025〕1号\n各区人民政府，市政府各部门：\n"
    "到2027年，全市人工智能核心产业规模突破100亿元，培育10家以上龙头企业。"
    "牵头单位：市科技局、市工业和信息化局。本计划自印发之日起施行，有效期3年。\n"
)


def warm_up(analysis: bool = True, search: bool = True) -> float:
    """Load the analysers (``analysis``) and the search segmenter (``search``); seconds it took."""
    started = time.perf_counter()
    if analysis:
        analyze(SAMPLE)
    if search:
        index_words(SAMPLE)
    took = time.perf_counter() - started
    log.debug("analysers loaded in %.2f s", took)
    return took
