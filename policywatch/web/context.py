"""What every route gets from the application that serves it: the session factory, the metrics and the
daemon's health and readiness checks — handed over once in ``create_app``, read through one dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from core.metrics import Metrics


@dataclass(frozen=True)
class WebContext:
    factory: sessionmaker[Session]
    metrics: Metrics
    health: Callable[[], dict[str, Any]]
    readiness: Callable[[], dict[str, Any]]


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


Context = Annotated[WebContext, Depends(web_context)]
