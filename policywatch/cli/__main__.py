"""``python -m policywatch.cli``: the same as the ``policywatch`` command."""

from policywatch.cli.main import main

main()
