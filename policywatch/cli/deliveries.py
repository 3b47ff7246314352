"""`policywatch deliveries list|retry`: see where alerts stand, and re-send the ones that failed.

A retry makes failed deliveries due now with a fresh retry schedule (their target re-read from the
subscription, in case it was fixed); a running daemon's deliverer sends them within
``alerts.deliver_interval_seconds``. A delivery already sent is never sent again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from alerts.delivery_admin import STATUSES, list_deliveries, retry_deliveries
from policywatch.cli.context import Context
from policywatch.terminal_tables import render_table


@contextmanager
def _store(obj: Context) -> Iterator[Any]:
    """A session factory on the configured, migrated store."""
    from storage.db import make_engine, migrate, session_factory

    engine = make_engine(obj.settings().database_url)
    try:
        migrate(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


@click.group()
def deliveries() -> None:
    """Alert deliveries: list them, re-send the failed ones."""


@deliveries.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Only these (repeatable).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_cmd(obj: Context, statuses: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Deliveries, newest first, with attempts and the last error."""
    with _store(obj) as factory, factory() as session:
        views = list_deliveries(session, statuses, limit=limit)
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in views], ensure_ascii=False, indent=2))
        return
    rows = [
        {
            "id": str(v.id), "status": v.status, "attempts": str(v.attempts), "channel": v.channel,
            "subscription": v.subscription, "next attempt": v.to_dict()["next_attempt_at"] or "",
            "subject": v.subject[:30], "last error": v.last_error[:100],
        }
        for v in views
    ]
    click.echo(render_table(rows, ["id", "status", "attempts", "channel", "subscription", "next attempt",
                                   "subject", "last error"]) if rows else "no deliveries")


@deliveries.command("retry")
@click.argument("ids", nargs=-1, type=click.IntRange(1, 2**31 - 1))
@click.option("--failed", "all_failed", is_flag=True, help="Every failed delivery.")
@click.pass_obj
def retry_cmd(obj: Context, ids: tuple[int, ...], all_failed: bool) -> None:
    """Re-send failed deliveries (by id, or --failed for all); sent ones are never sent again."""
    if bool(ids) == all_failed:
        raise click.UsageError("give delivery ids, or --failed (not both)")
    from storage.db import transaction

    with _store(obj) as factory, transaction(factory) as session:
        report = retry_deliveries(session, ids, all_failed=all_failed)
    click.echo(f"requeued: {len(report.requeued)} {report.requeued or ''}".rstrip())
    for label, items in (("already sent (not re-sent)", report.already_sent),
                         ("not failed (already on their way)", report.not_failed), ("unknown", report.unknown)):
        if items:
            click.echo(f"{label}: {items}")
    if report.unknown:
        raise click.ClickException(f"no delivery with id {', '.join(map(str, report.unknown))}")
