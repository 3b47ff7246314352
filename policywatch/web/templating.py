"""Server-rendered pages: one Jinja2 environment with autoescaping on, the filters the templates use,
and ``render`` — which sends every page with its Content-Security-Policy (no inline script anywhere:
scripts are static files, data for them sits in ``<script type="application/json">`` blocks)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_MARK = re.compile(r"(</?mark>)")


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) (a link may be followed), else None (shown as text only)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def marked(snippet: str) -> Markup:
    """A search snippet (escaped text with <mark>) re-escaped segment by segment: only <mark> survives."""
    out = []
    for part in _MARK.split(snippet or ""):
        out.append(part if part in ("<mark>", "</mark>") else html.escape(html.unescape(part)))
    return Markup("".join(out))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def query_string(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(marked=marked, pct=pct, number=number, safe_url=safe_url)
    env.globals.update(query_string=query_string)
    return env


ENVIRONMENT = _environment()


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    body = ENVIRONMENT.get_template(template).render(request=request, **context)
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)
