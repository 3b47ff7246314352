"""``python -m tools.evaluate_analysis``: per-field precision/recall over the labeled set, and the misses.

Five sets (tests/fixtures/analysis), reported separately and then combined: *original* — the 25
hand-labeled real texts, the five seed plans (labeled for this project), the saved real pages with their
visible facts, and composed cases (GBK bytes, garbled 文号, joint issuers, a notice with no title,
Traditional script, an unrelated notice, a GBK HTML page) that the engine was developed on; *real* — the 40
later real texts d26–d65 (their first run, docs/evaluation/real-set-first-run.txt, is the honest estimate on
unseen pages; the engine has learnt from them since); *blind* —
composed cases whose gold was written before the engine first saw them (the held-out estimate); *blind2* — a
second, independent blind round by another author in another style (mostly full HTML pages of varied templates);
*blind3* — a third round written after the real texts d26–d65, imitating real re-posts. Strings are
compared after light normalisation (NFKC, OpenCC t2s, whitespace removed, 〔〕≡[], —≡-≡~, bracketed pinyin
glosses dropped, as ../shared/labeled/README.md prescribes for the re-post sites that print them). A gold key that is
absent is not scored. For a field, TP = correct non-null prediction, FP = a wrong non-null prediction,
FN = a gold value missed; accuracy also counts correct nulls. List fields (issuers, citations, targets)
are scored item by item; targets on (value, unit, year) with the unit normalised (``metrics.normalize``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from consumers.analysis import Analysis, analyze, analyze_path
from consumers.analysis.dates import parse_date
from consumers.analysis.metrics import normalize
from consumers.analysis.page import extract_page
from zhtext.decoding import decode_bytes
from zhtext.normalize import squash, strip_pinyin_glosses

DEFAULT_FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "analysis"
SCALARS = ("title", "notice_title", "doc_number", "issue_date", "publish_date", "effective_date", "expiry_date",
           "admin_level", "doc_type")
METADATA_FIELDS = (*SCALARS, "issuers", "region.province", "region.city", "region.district", "period")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0
    misses: list[tuple[str, object, object]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Report:
    fields: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    cases: int = 0

    def score_scalar(self, name: str, case: str, got: object, gold: object) -> None:
        tally = self.fields[name]
        tally.total += 1
        same = _key(got) == _key(gold)
        if same:
            tally.correct += 1
            if gold is not None:
                tally.tp += 1
            return
        tally.misses.append((case, got, gold))
        if got is not None:
            tally.fp += 1
        if gold is not None:
            tally.fn += 1

    def score_items(self, name: str, case: str, got: list[str], gold: list[str]) -> None:
        tally = self.fields[name]
        tally.total += 1
        got_keys = {_key(g) for g in got}
        gold_keys = {_key(g) for g in gold}
        tally.tp += len(got_keys & gold_keys)
        tally.fp += len(got_keys - gold_keys)
        tally.fn += len(gold_keys - got_keys)
        if got_keys == gold_keys:
            tally.correct += 1
        else:
            missing = sorted(str(g) for g in gold if _key(g) not in got_keys)
            extra = sorted(str(g) for g in got if _key(g) not in gold_keys)
            tally.misses.append((case, f"extra {extra}", f"missing {missing}"))

    def score_label(self, case: str, got: str, gold: str) -> None:
        for label in ("yes", "borderline", "no"):
            tally = self.fields[f"ai_relevance={label}"]
            tally.total += 1
            if (got == label) == (gold == label):
                tally.correct += 1
            if got == label and gold == label:
                tally.tp += 1
            elif got == label:
                tally.fp += 1
            elif gold == label:
                tally.fn += 1
        if got != gold:
            self.fields["ai_relevance=yes"].misses.append((case, got, gold))


def _key(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps({k: value[k] for k in sorted(value)}, sort_keys=True)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squash(strip_pinyin_glosses(str(value))).translate(str.maketrans("", "", "“”\"'‘’")).lower()


def _target_keys(targets: list[dict[str, object]]) -> list[str]:
    """(value, unit, year) with the unit normalised on both sides (1万亿元 ≡ 10000亿元, 0.8万人 ≡ 8000人)."""
    keys = []
    for target in targets:
        value, unit = normalize(target["value"], str(target["unit"] or ""))  # type: ignore[arg-type]
        keys.append(f"{_key(value)}|{_key(unit)}|{target['year']}")
    return keys


def _cited(analysis: Analysis) -> list[str]:
    items: list[str] = []
    for cit in analysis.citations:
        if cit.doc_number:
            items.append(cit.doc_number)
        if cit.title:
            items.append(f"《{cit.title}》")
    return items


def score_case(report: Report, case: str, analysis: Analysis, gold: dict[str, object]) -> None:
    report.cases += 1
    data = analysis.to_dict()
    for name in SCALARS:
        if name in gold:
            report.score_scalar(name, case, data[name], gold[name])
    if "issuers" in gold:
        report.score_items("issuers", case, list(data["issuers"]), list(gold["issuers"]))  # type: ignore[arg-type]
    if "region" in gold:
        for part in ("province", "city", "district"):
            report.score_scalar(f"region.{part}", case, data["region"][part], gold["region"][part])  # type: ignore[index]
    if "period" in gold:
        report.score_scalar("period", case, data["period"], gold["period"])
    if "ai_relevance" in gold:
        report.score_label(case, data["ai"]["label"], str(gold["ai_relevance"]))  # type: ignore[index]
    if "cited_documents" in gold:
        report.score_items("citations", case, _cited(analysis), list(gold["cited_documents"]))  # type: ignore[arg-type]
    if "targets" in gold:
        report.score_items("targets", case, _target_keys(data["targets"]), _target_keys(gold["targets"]))  # type: ignore[arg-type]
    if "attachments" in gold:
        report.score_items("attachments", case, [a["name"] for a in analysis.attachments],
                           list(gold["attachments"]))  # type: ignore[arg-type]


SETS = ("original", "real", "blind", "blind2", "blind3")
# The labeled real texts the engine was developed on; later ones (d26 …) form the "real" set, scored
# separately because their first run is the honest estimate of accuracy on unseen real pages.
ORIGINAL_LABELED = 25


def _gold_file_cases(folder: Path, gold_name: str) -> Iterator[tuple[str, Analysis, dict[str, object],
                                                                    dict[str, str] | None]]:
    """Cases of a folder whose gold is one JSON mapping file name → gold (with optional ``notes``/``page``)."""
    entries = json.loads((folder / gold_name).read_text(encoding="utf-8"))
    for name, entry in entries.items():
        gold = {k: v for k, v in entry.items() if k not in ("notes", "page")}
        yield name.split(".")[0], analyze_path(folder / name), gold, entry.get("page")


def iter_cases(fixtures: Path, which: str = "original") -> Iterator[tuple[str, Analysis, dict[str, object],
                                                                          dict[str, str] | None]]:
    """(case id, analysis, gold, page-field gold) for every labeled case of one set.

    ``original``: the labeled excerpts, seeds, composed cases and saved pages the engine was developed on;
    ``real``: the 40 later real texts (d26–d65), labeled by the same conventions;
    ``blind`` / ``blind2`` / ``blind3``: cases whose gold was written before the engine first saw them (held-out
    estimates; blind3 imitates the real re-posts: Traditional mirrors, re-post headlines, no-title re-posts
    from the 文号 on, long joint signatures, gazette and PDF dumps, 發布機關 fields).
    """
    if which in ("blind", "blind2", "blind3"):
        yield from _gold_file_cases(fixtures / which, f"{which}.gold.json")
        return
    labeled = sorted((fixtures / "labeled").glob("d*.json"))
    if which == "real":
        for path in labeled[ORIGINAL_LABELED:]:
            record = json.loads(path.read_text(encoding="utf-8"))
            yield record["id"], analyze(record["text"]), record["gold"], None
        return
    for path in labeled[:ORIGINAL_LABELED]:
        record = json.loads(path.read_text(encoding="utf-8"))
        yield record["id"], analyze(record["text"]), record["gold"], None
    for path in sorted((fixtures / "seeds").glob("*.gold.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        yield record["id"], analyze_path(fixtures / "seeds" / record["text_file"]), record["gold"], None
    yield from _gold_file_cases(fixtures / "composed", "composed.gold.json")
    pages = json.loads((fixtures / "pages" / "pages.gold.json").read_text(encoding="utf-8"))
    for name, entry in pages.items():
        yield name.split("_")[0], analyze_path(fixtures / "pages" / name), entry["gold"], entry.get("page")


def _case_file(fixtures: Path, case: str) -> Path | None:
    """The HTML file of a page case (its id is the file name's first part)."""
    for folder in ("pages", "blind", "blind2", "blind3"):
        for pattern in (f"{case}.html", f"{case}_*.html"):
            for path in (fixtures / folder).glob(pattern):
                return path
    return None


def run(fixtures: Path = DEFAULT_FIXTURES, sets: tuple[str, ...] = ("original",)) -> Report:
    """Score the given sets into one report (``run(sets=SETS)`` is the combined figure)."""
    report = Report()
    for which in sets:
        for case, analysis, gold, page_gold in iter_cases(fixtures, which):
            score_case(report, case, analysis, gold)
            path = _case_file(fixtures, case) if page_gold else None
            if page_gold and path is not None:
                page = extract_page(decode_bytes(path.read_bytes()))
                for name, value in page_gold.items():
                    got = page.fields.get(name)
                    if name.endswith("date") and got:
                        got = parse_date(got)
                    report.score_scalar(f"page.{name}", case, got, value)
    return report


def format_report(report: Report, misses: bool = True) -> str:
    lines = [f"cases: {report.cases}", "",
             f"{'field':28} {'n':>4} {'prec':>6} {'recall':>7} {'acc':>6}   misses"]
    for name in sorted(report.fields, key=lambda n: (n.startswith("page."), n.startswith("ai_"), n)):
        tally = report.fields[name]
        lines.append(f"{name:28} {tally.total:4d} {tally.precision:6.3f} {tally.recall:7.3f} {tally.accuracy:6.3f}   "
                     f"{len(tally.misses)}")
    if not misses:
        return "\n".join(lines)
    lines.append("")
    lines.append("misses (case: got | gold):")
    for name, tally in sorted(report.fields.items()):
        for case, got, gold in tally.misses:
            lines.append(f"  {name:22} {case:28} {got!s:.110} | {gold!s:.110}")
    if not any(t.misses for t in report.fields.values()):
        lines.append("  (none)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--set", choices=(*SETS, "all"), default="all",
                        help="one set, or all: each set separately, then combined")
    args = parser.parse_args(argv)
    chosen = SETS if args.set == "all" else (args.set,)
    for which in chosen:
        print(f"=== {which} set ===")
        print(format_report(run(args.fixtures, (which,))))
        print()
    if len(chosen) > 1:
        print("=== combined ===")
        print(format_report(run(args.fixtures, chosen), misses=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
