"""Operator commands that need no running policywatch: check a configuration, migrate the database."""

from __future__ import annotations

import click

from policywatch.cli.context import Context


@click.group("config")
def config_group() -> None:
    """Check a configuration before starting anything with it."""


@config_group.command("check")
@click.pass_obj
def config_check(obj: Context) -> None:
    """Validate every setting, load every source file, reach the database, broker and capture storage.

    One line per finding; exits non-zero when any is a problem.
    """
    from policywatch.config_check import check_configuration

    findings = check_configuration(obj.config)
    for finding in findings:
        click.echo(finding.line())
    problems = sum(not finding.ok for finding in findings)
    if problems:
        raise click.ClickException(f"{problems} problem{'s' if problems > 1 else ''} found")
    click.echo("configuration ok")


@click.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade(obj: Context) -> None:
    """Migrate the database to this version's schema and report the revision (starts migrate too)."""
    from policywatch.config_check import shown_url
    from storage.db import make_engine, migrate
    from storage.schema_revision import current_revision

    settings = obj.settings()
    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        migrate(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    where = shown_url(settings.database_url)
    if before == after:
        click.echo(f"{where}: already at revision {after} (current)")
    else:
        click.echo(f"{where}: migrated from revision {before or '(empty)'} to {after} (current)")
