"""`policywatch sources list|check`: the watched sources, and a live check of what their definitions find."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from core.settings import Settings
from crawlers.catalog import SourceDefinition, find_source, load_sources
from crawlers.runner import user_agent
from policywatch.cli.context import Context
from policywatch.sources_check import check_sources as run_checks
from policywatch.sources_check import render_report
from policywatch.terminal_tables import render_table


@click.group()
def sources() -> None:
    """The watched sources."""


@sources.command("list")
@click.pass_obj
def sources_list(obj: Context) -> None:
    """Every source with its region, layout and verification status."""
    settings = obj.settings()
    click.echo(
        list_sources_table(
            settings.crawl.sources_dirs,
            settings.crawl.simulator_url,
            default_interval=settings.crawl.interval_minutes,
        )
    )


@sources.command("check")
@click.argument("source_id", required=False)
@click.pass_obj
def sources_check(obj: Context, source_id: str | None) -> None:
    """Fetch live pages and report whether list, links, pagination and detail fields were found."""
    settings = obj.settings()
    report, ok = check_sources(settings, source_id)
    click.echo(report)
    if not ok:
        sys.exit(1)


def _interval(source: SourceDefinition, default_minutes: float | None) -> str:
    """The effective crawl interval: the source's own, else the settings default (or 'default')."""
    if source.interval_minutes is not None:
        return f"{source.interval_minutes:g}"
    return f"{default_minutes:g} (default)" if default_minutes is not None else "default"


def source_rows(
    sources: Sequence[SourceDefinition], default_interval: float | None = None
) -> list[dict[str, str]]:
    """One row per source: id, name, region, layout, verification, schedule, first list URL.

    ``default_interval`` is ``settings.crawl.interval_minutes``, shown for sources without their own.
    """
    return [
        {
            "id": source.id,
            "name": source.name,
            "region": source.region,
            "layout": source.layout,
            "verification": source.verification.status,
            "checked_on": source.verification.checked_on,
            "interval_minutes": _interval(source, default_interval),
            "list_url": source.list_urls[0],
        }
        for source in sources
    ]


def list_sources_table(
    dirs: Iterable[Path | str], simulator_url: str = "", default_interval: float | None = None
) -> str:
    """``policywatch sources list``: every source with region, layout and verification status."""
    rows = source_rows(load_sources(dirs, simulator_url), default_interval)
    for row in rows:
        if len(row["list_url"]) > 72:
            row["list_url"] = row["list_url"][:71] + "…"
    return render_table(rows, ("id", "region", "layout", "verification", "interval_minutes", "list_url"))


def check_sources(settings: Settings, source_id: str | None = None) -> tuple[str, bool]:
    """``policywatch sources check [ID]``: fetch live pages, return (report, every source ok).

    Uses the crawl settings' User-Agent (with contact), timeout and size limit; robots.txt obeyed.
    """
    sources = load_sources(settings.crawl.sources_dirs, settings.crawl.simulator_url)
    if source_id:
        sources = [find_source(sources, source_id)]
    results = run_checks(
        sources,
        user_agent=user_agent(settings),
        timeout_s=settings.crawl.timeout_seconds,
        max_bytes=settings.crawl.max_response_bytes,
        page_cap=settings.crawl.page_cap,
    )
    return render_report(results), all(result.ok for result in results)
