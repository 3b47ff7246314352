"""Operator commands over the archive and the sources: re-analyse stored versions, backfill a source.

Both are long operations: each shows a progress bar (rich, on standard error, only on a terminal) and
ends with a one-paragraph summary on standard output.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from policywatch.cli.context import Context


def progress_bar(description: str) -> Any:
    """A rich progress bar on standard error; silent when standard error is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, disable=not console.is_terminal, transient=False,
    )


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--since") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.command()
@click.option("--since", help="Only versions fetched on or after this date (YYYY-MM-DD).")
@click.option("--source", "source_id", help="Only versions of this source's documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def reanalyze(obj: Context, since: str | None, source_id: str | None, as_json: bool) -> None:
    """Re-run the analysis over stored versions after an analyser upgrade.

    Stores the new analysis and records what changed (``analysis_revisions``); the text did not change,
    so no version, change or alert is made. Running it again changes nothing.
    """
    from consumers.reanalysis import Reanalyser, versions_to_reanalyse
    from core.captures import CaptureConfig
    from crawlers.catalog import collect_sources
    from crawlers.warc_reader import read_captured
    from storage.db import make_engine, migrate, session_factory
    from zhtext.decoding import decode_bytes

    settings = obj.settings()
    started = _since(since)
    captures = CaptureConfig.from_settings(settings)
    definitions, _errors = collect_sources(settings.crawl.sources_dirs, settings.crawl.simulator_url)
    hints = {d.id: {**d.detail_hints(), **({"region": d.region} if d.region else {})} for d in definitions}

    def read_capture(reference: str) -> tuple[str, str] | None:
        try:
            captured = read_captured(captures, reference)
        except (LookupError, OSError):
            return None
        return captured.url, decode_bytes(captured.body)

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        factory = session_factory(engine)
        ids = versions_to_reanalyse(factory, started, source_id)
        reanalyser = Reanalyser(factory, read_capture, lambda sid: dict(hints.get(sid, {})))
        with progress_bar("re-analysing") as bar:
            task = bar.add_task("versions", total=len(ids))
            for _ in reanalyser.run(ids):
                bar.advance(task)
    finally:
        engine.dispose()
    report = reanalyser.report
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        fields = ", ".join(f"{name} {count}" for name, count in sorted(report.fields.items())) or "none"
        click.echo(
            f"analyser {report.analyser_version}: {report.examined} versions examined, {report.changed} "
            f"changed, {report.unchanged} unchanged, {report.failed} failed "
            f"({report.from_capture} read from the capture, {report.from_text} from the stored text); "
            f"fields changed: {fields}. No version, change or alert was created."
        )
    if report.failed:
        raise click.ClickException(f"{report.failed} versions could not be re-analysed (see the log)")


@click.command()
@click.argument("source_id")
@click.option("--pages", type=click.IntRange(min=1), required=True,
              help="List pages to read this once (past crawl.page_cap and the source's max_pages).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def backfill(obj: Context, source_id: str, pages: int, as_json: bool) -> None:
    """Read a source's history deeper than the schedule does: one crawl of up to N list pages.

    Starts the pipeline on the configured broker and store (like ``policywatch crawl``), then waits until
    every document it published is stored (and alerted, as any new document is).
    """
    from crawlers.catalog import find_source
    from policywatch.backfill import run_backfill
    from policywatch.pipeline import Pipeline

    settings = obj.settings(web={"enabled": False})
    with Pipeline(settings) as pipeline:
        find_source(pipeline.sources, source_id)  # an unknown source ends here, in one line
        with progress_bar(f"backfill {source_id}") as bar:
            task = bar.add_task("documents", total=None)

            def show(phase: str, documents: int) -> None:
                bar.update(task, completed=documents, description=f"{phase}: new documents")

            report = run_backfill(pipeline, source_id, pages, on_progress=show)
    summary = report.to_dict()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        more = "the list goes on (run again with more --pages)" if report.more_pages else "the list ends there"
        click.echo(
            f"{source_id}: {summary['list_pages_read']} of up to {pages} list pages read ({more}); "
            f"{summary['published']} pages published, {summary['new_documents']} new documents, "
            f"{summary['versions_added']} versions stored in {summary['seconds']} s; outcome {report.result.outcome}"
        )
    if not report.ok:
        raise click.ClickException(f"backfill of {source_id} was {report.result.outcome}: {report.result.error}")
