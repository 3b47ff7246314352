"""Re-analysis after an analyser upgrade: the stored analysis is replaced, what moved is recorded, and
nothing pretends the text changed (no version, no change, no alert); a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from consumers.analysis_version import analyser_version
from consumers.reanalysis import Reanalyser, versions_to_reanalyse
from policywatch.cli.main import main
from storage.analysis_revisions import AnalysisRevision
from storage.db import session_factory
from storage.models import Alert, Change, Document, DocumentVersion
from tests.archive_fixtures import fill_archive


def counts(session: Session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in (DocumentVersion, Change, Alert))  # type: ignore[return-value]


def age_the_analysis(factory: sessionmaker[Session], document_id: int) -> dict[str, Any]:
    """Make the latest version's analysis look like an older analyser's: no 文号, no targets."""
    with factory() as session:
        document = session.get(Document, document_id)
        assert document is not None
        version = session.get(DocumentVersion, document.latest_version_id)
        assert version is not None
        current = dict(version.analysis)
        version.analysis = {**current, "doc_number": None, "targets": []}
        document.doc_number = None
        session.commit()
        return current


@pytest.fixture
def archive(migrated_engine: Any, shared_dir: Path) -> tuple[sessionmaker[Session], dict[str, int]]:
    factory = session_factory(migrated_engine)
    return factory, fill_archive(factory, shared_dir)


def test_reanalysis_records_what_changed_without_a_change_or_alert(archive: Any) -> None:
    factory, ids = archive
    current = age_the_analysis(factory, ids["shenyang"])
    assert current["doc_number"] and current["targets"]
    with factory() as session:
        before = counts(session)

    reanalyser = Reanalyser(factory, read_capture=lambda reference: None, hints_for=lambda source: {})
    done = list(reanalyser.run(versions_to_reanalyse(factory)))

    report = reanalyser.report
    assert len(done) == report.examined == before[0]
    assert (report.changed, report.failed) == (1, 0)
    assert report.fields == {"doc_number": 1, "targets": 1}
    with factory() as session:
        assert counts(session) == before  # no version, no change, no alert
        document = session.get(Document, ids["shenyang"])
        assert document is not None and document.doc_number == current["doc_number"]
        version = session.get(DocumentVersion, document.latest_version_id)
        assert version is not None and version.analysis["targets"] == current["targets"]
        assert version.analysis["analyser_version"] == analyser_version()
        (revision,) = session.scalars(select(AnalysisRevision)).all()
        assert revision.version_id == version.id and revision.analyser_version == analyser_version()
        assert revision.fields == ["doc_number", "targets"]
        assert revision.old == {"doc_number": None, "targets": []}
        assert revision.new["doc_number"] == current["doc_number"]

    again = Reanalyser(factory, read_capture=lambda reference: None, hints_for=lambda source: {})
    list(again.run(versions_to_reanalyse(factory)))
    assert (again.report.changed, again.report.unchanged) == (0, before[0])


def test_reanalysis_reads_the_captured_page_when_it_can(archive: Any) -> None:
    factory, ids = archive
    age_the_analysis(factory, ids["liuzhou"])
    with factory() as session:
        document = session.get(Document, ids["liuzhou"])
        assert document is not None
        version = session.get(DocumentVersion, document.latest_version_id)
        assert version is not None
        version.warc_record = "warc/x.warc.gz#<urn:uuid:1>"
        html = f"<html><head><title>{version.title}</title></head><body><div>{version.text}</div></body></html>"
        session.commit()
        version_id = version.id
    seen: list[str] = []

    def read_capture(reference: str) -> tuple[str, str]:
        seen.append(reference)
        return document.url, html

    reanalyser = Reanalyser(factory, read_capture=read_capture, hints_for=lambda source: {})
    list(reanalyser.run([version_id]))
    assert seen == ["warc/x.warc.gz#<urn:uuid:1>"]
    assert (reanalyser.report.from_capture, reanalyser.report.changed) == (1, 1)
    assert reanalyser.report.fields == {"targets": 1}  # read from the page, the same reading as the text


def test_reanalyze_command_filters_by_source_and_date_and_prints_a_summary(archive: Any, sqlite_url: str) -> None:
    factory, ids = archive
    age_the_analysis(factory, ids["nansha"])
    env = {"POLICYWATCH_DATABASE__URL": sqlite_url}
    none = CliRunner().invoke(main, ["reanalyze", "--source", "elsewhere", "--json"], env=env)
    assert none.exit_code == 0, none.output
    assert json.loads(none.output)["examined"] == 0
    later = CliRunner().invoke(main, ["reanalyze", "--since", "2026-03-01", "--json"], env=env)
    assert json.loads(later.output)["changed"] == 0  # the aged version was fetched in January
    result = CliRunner().invoke(main, ["reanalyze", "--source", "test"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output and "fields changed: targets 1" in result.output
    assert "No version, change or alert was created." in result.output
