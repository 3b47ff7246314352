"""What every route gets from the application that serves it: the session factory, the metrics, the
daemon's health and readiness checks and the archive's settings — handed over once in ``create_app``,
read through one dependency."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from core.captures import CaptureConfig
from core.metrics import Metrics
from storage.validity import DEFAULT_EXPIRING_DAYS


@dataclass(frozen=True)
class WebContext:
    factory: sessionmaker[Session]
    metrics: Metrics
    health: Callable[[], dict[str, Any]]
    readiness: Callable[[], dict[str, Any]] = dict
    # Where the WARC captures are (replay); None when the application serves no captures.
    captures: CaptureConfig | None = None
    # A document ending within this many days is 即将失效 (expiring).
    expiring_days: int = DEFAULT_EXPIRING_DAYS
    # Accounts: the channels a test-send goes through, where outbound targets may point, whether the
    # archive itself needs a key (web.archive_requires_key).
    channels: Mapping[str, Any] = field(default_factory=dict)
    allowed_networks: tuple[str, ...] = ()
    archive_requires_key: bool = False
    # Key of the one-click unsubscribe tokens (alerts.unsubscribe_secret); "" serves no unsubscribe links.
    unsubscribe_secret: str = ""


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


Context = Annotated[WebContext, Depends(web_context)]
