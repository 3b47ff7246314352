"""Source health after every (scheduled) crawl: a source that answers with a WAF/captcha page, whose
list suddenly yields nothing, or whose selectors stopped matching raises an operator alert.

The problems of a crawl (``crawlers.health.source_problems``) are kept with its run (``stats.problems``),
so ``policywatch status`` shows them and any process can tell a new problem from a lasting one: an
operator alert goes out when a problem appears — present in this run, absent from the source's previous
finished run — not on every crawl while it lasts. It is a WARNING log line starting "OPERATOR ALERT"
and, when ``alerts.operator_email`` / ``alerts.operator_webhook`` are set, a message through the email and
webhook channels (sent after the run is committed, with no transaction open; a failed send is logged,
and the log line stays the record). ``policywatch_source_problems{source,problem}`` is 1 while it lasts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels.base import Channel
from alerts.render import RenderedAlert
from core.errors import PolicywatchError
from core.metrics import Metrics
from crawlers.health import CAPTCHA, EMPTY_LIST, LAYOUT_CHANGED, PROBLEMS, source_problems
from storage.db import transaction
from storage.models import CrawlRun, Document

log = logging.getLogger(__name__)

# What the operator reads: the problem in Chinese and English, and what to do about it.
DESCRIPTIONS = {
    CAPTCHA: "站点返回验证码/WAF 拦截页 — the site answers with a WAF/captcha page instead of its content "
             "(slow the crawl down, ask the site's operators to allow our User-Agent, or crawl from another address)",
    EMPTY_LIST: "栏目列表突然为空 — the list yields no documents although it had some before "
                "(the column moved or was emptied: check its list_urls)",
    LAYOUT_CHANGED: "栏目版式已改变 — the list still shows document titles but the [links] selectors match none "
                    "(the site was redesigned: update the source's selectors, `policywatch sources check`)",
}


@dataclass(frozen=True)
class OperatorAlert:
    """A problem that just appeared on a source."""

    source_id: str
    problem: str
    run_id: int
    detail: str

    @property
    def subject(self) -> str:
        return f"【运维告警 operator alert】{self.source_id}: {self.problem}"

    def text(self) -> str:
        return f"{DESCRIPTIONS[self.problem]}\ncrawl run {self.run_id}: {self.detail}".strip()

    def rendered(self) -> RenderedAlert:
        text = self.text()
        payload = {"kind": "operator", "source": self.source_id, "problem": self.problem, "run_id": self.run_id,
                   "detail": self.detail, "subject": self.subject}
        html = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>") + "</p>"
        return RenderedAlert(self.subject, text, html, payload,
                             idempotency_key=f"policywatch-operator-{self.source_id}-{self.problem}-{self.run_id}")


def _previous_problems(session: Session, source_id: str, run_id: int) -> set[str]:
    previous = session.scalars(
        select(CrawlRun).where(
            CrawlRun.source_id == source_id, CrawlRun.id < run_id, CrawlRun.finished_at.is_not(None)
        ).order_by(CrawlRun.id.desc()).limit(1)
    ).first()
    return set((previous.stats or {}).get("problems") or []) if previous is not None else set()


def _detail(stats: dict[str, Any], problem: str) -> str:
    if problem == CAPTCHA:
        return f"{stats.get('blocked', 0)} responses were challenge pages (marker {stats.get('blocked_sign', '')!r})"
    return (f"{stats.get('list_pages', 0)} list pages read, 0 links matched, "
            f"{stats.get('title_anchors', 0)} title-like links on them")


class SourceHealth:
    """Evaluates crawl runs, keeps their problems, raises operator alerts and sets the gauge."""

    def __init__(
        self, factory: sessionmaker[Session], metrics: Metrics, channels: dict[str, Channel] | None = None,
        operator_email: str = "", operator_webhook: str = "",
    ) -> None:
        self._factory = factory
        self._metrics = metrics
        self._targets = [
            (channel, target)
            for channel, target in (("email", operator_email), ("webhook", operator_webhook))
            if target and channel in (channels or {})
        ]
        self._channels = channels or {}

    def after_crawl(self, source_id: str, run_id: int) -> list[OperatorAlert]:
        """Record the problems of a finished run; alert on those that are new. Returns the alerts."""
        with transaction(self._factory) as session:
            run = session.get(CrawlRun, run_id)
            if run is None:
                return []
            stats = dict(run.stats or {})
            had_items = bool(session.scalar(
                select(func.count(Document.id)).where(Document.source_id == source_id)
            ))
            problems = source_problems(stats, had_items) if stats else []
            before = _previous_problems(session, source_id, run_id)
            run.stats = {**stats, "problems": problems}
        for problem in PROBLEMS:
            self._metrics.source_problems.labels(source_id, problem).set(1 if problem in problems else 0)
        alerts = [OperatorAlert(source_id, p, run_id, _detail(stats, p)) for p in problems if p not in before]
        for alert in alerts:
            log.warning("OPERATOR ALERT source %s: %s — %s (%s)", source_id, alert.problem,
                        DESCRIPTIONS[alert.problem], alert.detail)
            self._send(alert)
        for gone in sorted(before - set(problems)):
            log.info("source %s: %s is over", source_id, gone)
        return alerts

    def _send(self, alert: OperatorAlert) -> None:
        for channel_name, target in self._targets:
            try:
                self._channels[channel_name].send(target, alert.rendered())
            except PolicywatchError as exc:
                log.warning("operator alert for %s not sent by %s to %s: %s", alert.source_id, channel_name, target, exc)
