"""Comparing documents: version diffs, borrowed text across regions, and a region's earlier plans.

Pure functions over texts and analysis dicts; the pipeline decides what to compare and stores results.
"""

from consumers.diffing.lineage import Borrowing, LineageIndex, from_signature_bytes, signature_bytes
from consumers.diffing.predecessors import Predecessor, compare_with_predecessors, find_predecessors
from consumers.diffing.summary import ChangeSummary
from consumers.diffing.textdiff import diff_versions

__all__ = [
    "Borrowing",
    "ChangeSummary",
    "LineageIndex",
    "Predecessor",
    "compare_with_predecessors",
    "diff_versions",
    "find_predecessors",
    "from_signature_bytes",
    "signature_bytes",
]
