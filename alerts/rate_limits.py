"""Per-target rate limits: deliveries beyond a target's per-minute budget wait, they are never dropped.

Chat robots refuse bursts (a 钉钉 robot accepts about 20 messages a minute, 企业微信 20, 飞书 100) and
a refused message would only come back as a retry. So before a delivery is claimed, the deliverer
counts the attempts made to the same channel and target in the last minute; at the limit the
delivery stays ``pending`` and its ``next_attempt_at`` moves to when the oldest of those attempts
leaves the window. Limits (``alerts.rate_limits``) are keyed by channel name (``webhook``, ``email``)
or by Apprise URL scheme (``dingtalk``, ``wecombot``, ``feishu``) and apply to each target separately.

The count is read in the claim's transaction from the deliveries table, so it holds across restarts
and across deliverers sharing a database (on PostgreSQL two deliverers racing may overshoot by the
few messages they claim at the same instant).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Delivery

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class RateLimits:
    """Messages per minute per target, by channel name or target URL scheme."""

    per_minute: Mapping[str, int]

    def limit_for(self, channel: str, target: str) -> int | None:
        scheme = target.partition("://")[0].strip().lower() if "://" in target else ""
        for key in (scheme, channel):
            if key and key in self.per_minute:
                return self.per_minute[key]
        return None

    def wait_until(self, session: Session, channel: str, target: str, now: datetime) -> datetime | None:
        """When a delivery to ``target`` may go out, if not now (None: within the budget)."""
        limit = self.limit_for(channel, target)
        if limit is None:
            return None
        since = now - WINDOW
        recent = (Delivery.channel == channel, Delivery.target == target, Delivery.last_attempt_at > since)
        count = session.scalar(select(func.count()).select_from(Delivery).where(*recent)) or 0
        if count < limit:
            return None
        # The window frees a slot when its oldest attempts age out: the (count - limit + 1)-th oldest.
        times = session.scalars(
            select(Delivery.last_attempt_at).where(*recent).order_by(Delivery.last_attempt_at)
            .limit(count - limit + 1)
        ).all()
        oldest = times[-1]
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        return oldest + WINDOW
