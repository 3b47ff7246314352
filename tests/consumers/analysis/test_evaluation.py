import json

import pytest

from tools.evaluate_analysis import METADATA_FIELDS, SETS, format_report, main, run


# (set, cases at least, bar for every metadata field's precision and recall and for AI relevance): the 40
# real texts (d26–d65) are held to the goal of issue 13, 0.97
@pytest.mark.parametrize(("which", "minimum", "bar"),
                         [("original", 40, 0.95), ("real", 40, 0.97), ("blind", 20, 0.95), ("blind2", 30, 0.95),
                          ("blind3", 20, 0.95)])
def test_eval_figures_stay_above_thresholds(fixtures_dir, which, minimum, bar):
    report = run(fixtures_dir, (which,))
    assert report.cases >= minimum
    scored = [name for name in METADATA_FIELDS if report.fields[name].total]  # the real set labels no web dates
    assert len(scored) >= len(METADATA_FIELDS) - 3, scored
    for name in scored:
        tally = report.fields[name]
        assert tally.precision >= bar and tally.recall >= bar, (name, format_report(report))
    ai = report.fields["ai_relevance=yes"]
    assert ai.precision >= bar and ai.recall >= bar


def test_copied_labeled_texts_match_the_shared_material(shared_dir, fixtures_dir):
    for path in sorted((shared_dir / "labeled").glob("d*.json")):
        copy = fixtures_dir / "labeled" / path.name
        assert json.loads(copy.read_text(encoding="utf-8")) == json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        assert (fixtures_dir / "seeds" / path.name).read_bytes() == path.read_bytes()


def test_make_eval_reports_each_set_and_the_combined_figures(fixtures_dir, capsys):
    assert main(["--fixtures", str(fixtures_dir)]) == 0
    out = capsys.readouterr().out
    assert "=== original set ===" in out and "=== blind set ===" in out and "=== combined ===" in out
    combined = run(fixtures_dir, SETS)
    assert combined.cases == sum(run(fixtures_dir, (which,)).cases for which in SETS)
    assert "=== blind2 set ===" in out and "=== real set ===" in out and "=== blind3 set ===" in out
