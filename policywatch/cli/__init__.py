"""The `policywatch` command line: one module per group of commands, assembled in ``main``."""

from policywatch.cli.main import main

__all__ = ["main"]
