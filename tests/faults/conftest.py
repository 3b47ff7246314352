"""The fault suite: each fault injected into the real pipeline on the simulated sites, with exact counts
asserted afterwards. Each test records what happened in ``fault_table``; the table of faults × outcome
is printed at the end of the run (the same table is in the README, "Faults and what happens")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.alerts.conftest import closed_port, factory, http_receiver, library, make_library, smtp_server  # noqa: F401

FAULTS: list[tuple[str, str]] = []


@pytest.fixture
def fault_table() -> list[tuple[str, str]]:
    """Append (fault, what happened) once a test's assertions about it passed."""
    return FAULTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FAULTS:
        return
    width = max(len(fault) for fault, _ in FAULTS)
    terminalreporter.section("faults and what happened")
    terminalreporter.write_line(f"{'fault'.ljust(width)}  outcome")
    for fault, outcome in FAULTS:
        terminalreporter.write_line(f"{fault.ljust(width)}  {outcome}")
