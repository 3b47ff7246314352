"""Lineage: borrowed text is found through chunk MinHashes and measured exactly."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from consumers.diffing import LineageIndex, from_signature_bytes, signature_bytes
from consumers.diffing.lineage import MIN_SHARE
from consumers.diffing.shingles import PASSAGE_GRAM

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((shared_dir / "seeds").glob("*.txt"))}


def _canonical(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def exact_share(text: str, source: str, size: int = PASSAGE_GRAM) -> float:
    """Ground truth by plain string sets: characters of text inside a size-char substring of source."""
    a, b = _canonical(text), _canonical(source)
    grams = {b[i : i + size] for i in range(len(b) - size + 1)}
    covered = [False] * len(a)
    for i in range(len(a) - size + 1):
        if a[i : i + size] in grams:
            covered[i : i + size] = [True] * size
    return sum(covered) / len(a)


def test_liuzhou_borrows_about_a_third_of_shenzhen(seeds: dict[str, str]) -> None:
    index = LineageIndex()
    for key, text in seeds.items():
        if key != "002":
            index.add(int(key), text, {"region_code": key})
    borrowings = index.find_borrowings(None, seeds["002"], "450200")
    assert borrowings, "the Shenzhen plan must be found as a source"
    top = borrowings[0]
    truth = exact_share(seeds["002"], seeds["004"])
    assert top.document_id == 4
    assert 0.3 <= truth <= 0.6
    assert abs(top.share - truth) < 0.01
    assert 0.25 <= top.paragraph_share <= 0.6
    assert len(top.passages) == 3 and all(len(p) >= 40 for p in top.passages)
    source = _canonical(seeds["004"])
    for passage in (p.rstrip("…") for p in top.passages):
        assert all(passage[i : i + PASSAGE_GRAM] in source for i in range(len(passage) - PASSAGE_GRAM + 1))
    assert not top.same_region


def test_unrelated_plans_share_little(seeds: dict[str, str]) -> None:
    index = LineageIndex(min_share=0.0)
    index.add(3, seeds["003"], {"region_code": "310112"})
    shares = [b.share for b in index.find_borrowings(1, seeds["001"], "210100")]
    assert all(share < 0.08 for share in shares)
    assert exact_share(seeds["001"], seeds["003"]) < 0.08
    reporting = LineageIndex()  # default min_share: stock phrases alone are not a borrowing
    reporting.add(3, seeds["003"], {"region_code": "310112"})
    assert reporting.find_borrowings(1, seeds["001"], "210100") == []


def test_partial_copy_share_matches_the_copied_fraction(seeds: dict[str, str]) -> None:
    source_lines = [line for line in seeds["004"].splitlines() if len(line.strip()) > 60]
    own_lines = [line for line in seeds["001"].splitlines() if len(line.strip()) > 60]
    borrowed, own = source_lines[10:16], own_lines[5:20]
    composed = "\n".join(own[:7] + borrowed + own[7:])
    copied = sum(len(_canonical(line)) for line in borrowed) / len(_canonical(composed))
    index = LineageIndex()
    index.add(4, seeds["004"], {"region_code": "440300"})
    (found,) = index.find_borrowings(None, composed, "440300")
    assert found.same_region
    assert abs(found.share - copied) < 0.03


def test_index_rebuilt_from_signatures_finds_the_same_borrowings(seeds: dict[str, str]) -> None:
    built = LineageIndex()
    stored = {int(k): built.add(int(k), t, {"region_code": k}) for k, t in seeds.items() if k != "002"}
    rebuilt = LineageIndex()
    for doc_id, signature in stored.items():
        rebuilt.add_signature(doc_id, signature, {"region_code": f"{doc_id:03d}"})
    assert rebuilt.find_borrowings(2, seeds["002"], None) == built.find_borrowings(2, seeds["002"], None)
    assert len(rebuilt) == 4


def test_removed_document_is_no_longer_a_candidate(seeds: dict[str, str]) -> None:
    index = LineageIndex()
    index.add(4, seeds["004"], {})
    assert index.candidates(seeds["002"]) == [4]
    index.remove(4)
    assert index.candidates(seeds["002"]) == []
    assert 4 not in index


def test_a_document_does_not_borrow_from_itself(seeds: dict[str, str]) -> None:
    index = LineageIndex()
    index.add(4, seeds["004"], {})
    assert index.find_borrowings(4, seeds["004"], None) == []
    assert index.find_borrowings(None, seeds["004"], None)[0].share > 0.99


def test_signatures_are_identical_across_processes(seeds: dict[str, str]) -> None:
    code = "import sys; from consumers.diffing import signature_bytes; sys.stdout.write(signature_bytes(sys.stdin.read()).hex())"
    out = subprocess.run(
        [sys.executable, "-c", code], input=seeds["000"], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert bytes.fromhex(out.stdout) == signature_bytes(seeds["000"])


def test_signature_made_with_other_parameters_is_rejected(seeds: dict[str, str]) -> None:
    data = bytearray(signature_bytes(seeds["000"]))
    data[4] ^= 0xFF  # num_perm field
    with pytest.raises(ValueError, match="other parameters"):
        from_signature_bytes(bytes(data))


def test_every_borrowing_above_the_reporting_threshold_is_found(seeds: dict[str, str]) -> None:
    """The MinHash candidate step must not lose pairs the exact measure would report."""
    for key, text in seeds.items():
        index = LineageIndex()
        for other, other_text in seeds.items():
            if other != key:
                index.add(int(other), other_text, {})
        found = {b.document_id: b.share for b in index.find_borrowings(None, text, None)}
        for other, other_text in seeds.items():
            if other == key:
                continue
            truth = exact_share(text, other_text)
            if truth >= MIN_SHARE + 0.005:
                assert abs(found[int(other)] - truth) < 0.01, (key, other)
            elif truth < MIN_SHARE - 0.005:
                assert int(other) not in found, (key, other)
