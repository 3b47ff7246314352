import json

from consumers.analysis.evaluate import METADATA_FIELDS, format_report, run


def test_eval_figures_stay_above_thresholds(fixtures_dir):
    report = run(fixtures_dir)
    assert report.cases >= 40
    for name in METADATA_FIELDS:
        tally = report.fields[name]
        assert tally.total > 0, name
        assert tally.precision >= 0.95 and tally.recall >= 0.95, (name, format_report(report))
    ai = report.fields["ai_relevance=yes"]
    assert ai.precision >= 0.95 and ai.recall >= 0.95


def test_copied_labeled_texts_match_the_shared_material(shared_dir, fixtures_dir):
    for path in sorted((shared_dir / "labeled").glob("d*.json")):
        copy = fixtures_dir / "labeled" / path.name
        assert json.loads(copy.read_text(encoding="utf-8")) == json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        assert (fixtures_dir / "seeds" / path.name).read_bytes() == path.read_bytes()
