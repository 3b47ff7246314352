"""Per-domain crawl slots shared by every crawl worker, so politeness holds across machines.

A domain has ``crawls_per_domain`` slots (rows ``(domain, slot)``). A worker takes a free slot before it
crawls a source of that domain and gives it back after; the provincial 集约化 platforms host many
cities' columns on one domain, so without this two workers would crawl one host at twice the rate
each believes it uses. A slot is a lease: its holder renews ``lease_until`` while crawling, and a slot
whose lease ran out (a worker that died or lost the database) is free again. Taking a slot is a
compare-and-set UPDATE on the row as it was read (holder and lease), so on PostgreSQL (row lock, the
WHERE re-checked after the lock) and SQLite (one writer) two workers never hold one slot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base


class DomainSlot(Base):
    """One of a domain's crawl slots; ``holder`` is empty when free."""

    __tablename__ = "domain_slots"
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(200), default="")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


def _as_naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment  # SQLite hands back naive UTC
    return moment.astimezone(UTC).replace(tzinfo=None)


def ensure_slots(session: Session, domain: str, count: int) -> None:
    """Create the domain's slot rows up to ``count`` (a concurrent creator's rows are fine too)."""
    have = set(session.scalars(select(DomainSlot.slot).where(DomainSlot.domain == domain)))
    for slot in range(count):
        if slot in have:
            continue
        try:
            with session.begin_nested():
                session.add(DomainSlot(domain=domain, slot=slot, holder="", lease_until=None))
        except IntegrityError:
            pass  # another worker created it meanwhile


def try_acquire(
    session: Session, domain: str, count: int, holder: str, lease: timedelta, now: datetime,
    holder_dead: Callable[[str], bool] | None = None,
) -> int | None:
    """Take one of the first ``count`` slots of ``domain`` for ``holder``; the slot number, or None when
    all are held by live holders. Never commits (the caller's transaction does, at once)."""
    rows = session.execute(
        select(DomainSlot.slot, DomainSlot.holder, DomainSlot.lease_until)
        .where(DomainSlot.domain == domain, DomainSlot.slot < count)
        .order_by(DomainSlot.slot)
    ).all()
    for slot, current, until in rows:
        naive = _as_naive_utc(until)
        expired = naive is None or naive <= _as_naive_utc(now)
        free = not current or expired or (holder_dead is not None and holder_dead(current))
        if not free:
            continue
        taken = session.execute(
            update(DomainSlot)
            .where(
                DomainSlot.domain == domain, DomainSlot.slot == slot, DomainSlot.holder == current,
                DomainSlot.lease_until.is_(None) if until is None else DomainSlot.lease_until == until,
            )
            .values(holder=holder, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            return int(slot)
    return None


def renew(session: Session, domain: str, slot: int, holder: str, until: datetime) -> bool:
    """Extend a held slot's lease; False when it is no longer ours (it expired and was taken)."""
    return bool(session.execute(
        update(DomainSlot)
        .where(DomainSlot.domain == domain, DomainSlot.slot == slot, DomainSlot.holder == holder)
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    ).rowcount)


def release(session: Session, domain: str, slot: int, holder: str) -> None:
    """Give a slot back (nothing happens when it is no longer ours)."""
    session.execute(
        update(DomainSlot)
        .where(DomainSlot.domain == domain, DomainSlot.slot == slot, DomainSlot.holder == holder)
        .values(holder="", lease_until=None)
        .execution_options(synchronize_session=False)
    )


def held_slots(session: Session, domain: str, now: datetime) -> int:
    """How many of the domain's slots are held now (for tests and status)."""
    rows = session.execute(
        select(DomainSlot.holder, DomainSlot.lease_until).where(DomainSlot.domain == domain)
    ).all()
    naive_now = _as_naive_utc(now)
    assert naive_now is not None
    return sum(1 for holder, until in rows if holder and until is not None and _as_naive_utc(until) > naive_now)  # type: ignore[operator]
