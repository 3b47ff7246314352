"""The role commands: each runs one part of the daemon in a process of its own (``policywatch.roles``)."""

from __future__ import annotations

import click

from policywatch.cli.context import Context


def _run_role(obj: Context, role: str) -> None:
    from policywatch.roles import RoleProcess

    RoleProcess(obj.settings(), role).run_forever()


@click.command()
@click.pass_obj
def scheduler(obj: Context) -> None:
    """Publish a crawl request for each source when it is due (one per source and interval)."""
    _run_role(obj, "scheduler")


@click.command("crawl-worker")
@click.pass_obj
def crawl_worker(obj: Context) -> None:
    """Run requested crawls, one at a time, holding a per-domain slot shared by every worker."""
    _run_role(obj, "crawl-worker")


@click.command()
@click.argument("name", type=click.Choice(["classify", "store", "alert"]))
@click.pass_obj
def stage(obj: Context, name: str) -> None:
    """Run one consumer stage (any number of instances share its consumer group)."""
    _run_role(obj, f"stage-{name}")


@click.command()
@click.pass_obj
def deliver(obj: Context) -> None:
    """Send due alert deliveries (claimed with a lease, so instances never send one twice)."""
    _run_role(obj, "deliver")


@click.command()
@click.pass_obj
def web(obj: Context) -> None:
    """Serve the archive, the REST API, health and metrics."""
    _run_role(obj, "web")


ROLE_COMMANDS = (scheduler, crawl_worker, stage, deliver, web)
