"""Commands that run policywatch: the daemon, its status, the offline demo and a crawl on demand."""

from __future__ import annotations

import json
import sys

import click

from policywatch.cli.context import Context
from policywatch.logs import configure_logging


@click.command()
@click.pass_obj
def run(obj: Context) -> None:
    """Run the daemon until SIGTERM or Ctrl-C."""
    from policywatch.daemon import Daemon

    Daemon(obj.settings()).run_forever()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    """Each source's last crawl and outcome, document counts and consumer lag."""
    from policywatch.status import collect_status, render_status

    result = collect_status(obj.settings())
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else render_status(result))


@click.command()
@click.option("--keep", is_flag=True, help="Keep the demo's var folder afterwards.")
@click.option("--serve", is_flag=True, help="Keep the archive's web application up on the demo's data until Ctrl-C.")
@click.pass_obj
def demo(obj: Context, keep: bool, serve: bool) -> None:
    """Run the whole flow offline against the simulated government sites."""
    from policywatch.demo import run_demo

    settings = obj.settings()
    if settings.logging.level in ("DEBUG", "INFO"):
        # the demo's own output is the point; keep the pipeline's log to warnings
        configure_logging(settings.logging.model_copy(update={"level": "WARNING"}))
    ok = run_demo(settings, keep=keep, out=sys.stdout, serve=serve)
    if not ok:
        raise click.ClickException("the demo's checks failed (see above)")


@click.command()
@click.argument("source_id")
@click.pass_obj
def crawl(obj: Context, source_id: str) -> None:
    """Crawl one source now (starts the pipeline on the configured broker and store)."""
    from policywatch.pipeline import Pipeline

    settings = obj.settings(web={"enabled": False})
    with Pipeline(settings) as pipeline:
        result = pipeline.crawl(source_id)
        pipeline.wait_idle(timeout_s=120)
    click.echo(f"{source_id}: {result.outcome} {json.dumps(result.stats, ensure_ascii=False, default=str)}")
    if not result.ok:
        raise click.ClickException(f"crawl of {source_id} was {result.outcome}: {result.error}")
