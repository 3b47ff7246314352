"""The `policywatch` command group: the edge where settings are loaded and errors become one line.

Every error policywatch raises on purpose (``core.errors``) ends the command with one line naming the
cause — and, for a configuration problem, the setting to change — and a non-zero exit code. An
unexpected exception is reported the same way. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from core.errors import ConfigurationError, PolicywatchError
from policywatch.cli.accounts import accounts
from policywatch.cli.archive import analyze, export, replay, search, versions
from policywatch.cli.configuration import settings_cmd
from policywatch.cli.context import Context, default_config
from policywatch.cli.deliveries import deliveries
from policywatch.cli.maintenance import backfill, reanalyze
from policywatch.cli.operations import config_group, db_group
from policywatch.cli.relations import compare_targets, diff, lineage, show
from policywatch.cli.roles import ROLE_COMMANDS
from policywatch.cli.service import crawl, demo, run, status
from policywatch.cli.sources import sources


class PolicywatchGroup(click.Group):
    """A group whose commands end in one line per failure unless ``--debug`` is given."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(one_line(exc)) from None


def one_line(exc: BaseException) -> str:
    """The message printed for ``exc``: its own words for our errors, its type too for anything else."""
    if isinstance(exc, ConfigurationError):
        text = str(exc)
    elif isinstance(exc, PolicywatchError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    return " ".join(text.split())


@click.group(cls=PolicywatchGroup)
@click.option(
    "--config", "-c", type=click.Path(path_type=Path), envvar="POLICYWATCH_CONFIG", default=None,
    help="Settings file (default: ./policywatch.toml when present).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an error instead of one line.")
@click.pass_context
def main(ctx: click.Context, config: Path | None, debug: bool) -> None:
    """policywatch: watch government sites for AI policy documents and alert subscribers."""
    ctx.obj = Context(config or default_config(), debug=debug)


for _command in (
    run, status, demo, crawl, analyze, search, versions, export, replay, sources, deliveries, settings_cmd,
    show, diff, lineage, compare_targets, reanalyze, backfill,
):
    main.add_command(_command)
for _group in (config_group, db_group, accounts):
    main.add_command(_group)
for _command in ROLE_COMMANDS:
    main.add_command(_command)
