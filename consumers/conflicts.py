"""Retrying a stage's transaction that lost a race to another instance of the same stage.

Two instances meet on one document only around a rebalance (a partition moves while its old owner
still finishes a record) or a redelivery. The database decides: the document row is locked while a
version is stored, and unique keys (document key, version number, change dedup key, one alert per
change and subscription) make the loser's flush fail with IntegrityError. The loser's transaction is
rolled back and run again, and the rerun finds the winner's rows and adds nothing. A conflict that
persists is a bug, not a race: it is raised after ``attempts``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

log = logging.getLogger(__name__)

T = TypeVar("T")


def retry_on_conflict(work: Callable[[], T], what: str, attempts: int = 3) -> T:
    """Run ``work`` (one whole transaction) again when it lost a unique-key race."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except IntegrityError as exc:
            if attempt == attempts:
                raise
            log.info("%s lost a race to another instance (%s); retrying", what, str(exc.orig).splitlines()[0])
    raise AssertionError("unreachable")
