"""`policywatch settings`: every setting with its default and help."""

from __future__ import annotations

import click

from core.settings import describe_settings


@click.command("settings")
def settings_cmd() -> None:
    """Every setting with its default and help (environment: POLICYWATCH_SECTION__KEY)."""
    for key, default, help_text in describe_settings():
        click.echo(f"{key:36} {default:40} {help_text}")
