"""Alert templates (Jinja2): one per format — text, HTML, Markdown — for alerts and for digests.

Every channel sends the same content: the templates walk the sections of ``alerts.sections`` (what,
where, who, 文号, significance, changed targets, clause excerpts, lineage, validity, permalinks,
sha256 and retrieval time), so only the presentation differs — plain text for email and files, HTML
for email, Markdown for the chat robots (钉钉, 企业微信, 飞书 render it well; they do not render HTML).

The built-in templates live in ``alerts/templates/`` (``alert.txt.j2``, ``alert.html.j2``,
``alert.md.j2``, ``digest.*.j2``). An operator overrides any of them by putting a file of the same
name in ``alerts.templates_dir``; the others keep their built-in version. HTML is autoescaped; text
and Markdown are not HTML (Markdown escapes the characters that would start markup).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, TemplateNotFound
from markupsafe import Markup, escape

from alerts.sections import digest_lines, sections
from core.errors import ConfigurationError

BUILTIN_DIR = Path(__file__).with_name("templates")
FORMATS = ("txt", "html", "md")
DIGEST_SCHEMA = "policywatch.digest/1"
_URL = re.compile(r"https?://\S+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _linked(value: object) -> Markup:
    """Escaped text; a value that is a URL becomes a link (HTML)."""
    text = str(value)
    if text.startswith(("http://", "https://")) and " " not in text:
        return Markup('<a href="{0}">{0}</a>').format(text)
    return escape(text)


def _md(value: object) -> str:
    """Markdown-escaped text: a title with * or _ must not turn bold."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _mdlink(value: object) -> str:
    """Markdown-escaped text with its URLs as links."""
    text = " ".join(str(value).split())
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(_md(text[last:match.start()]))
        parts.append(f"[{match.group()}]({match.group()})")
        last = match.end()
    parts.append(_md(text[last:]))
    return "".join(parts)


class AlertTemplates:
    """The templates in use: an operator's folder first (when set), then the built-in ones."""

    def __init__(self, override_dir: Path | None = None) -> None:
        if override_dir is not None and not override_dir.is_dir():
            raise ConfigurationError(f"alerts.templates_dir {override_dir} is not a folder")
        loaders = [FileSystemLoader(str(override_dir))] if override_dir is not None else []
        loaders.append(FileSystemLoader(str(BUILTIN_DIR)))
        options: dict[str, Any] = {
            "loader": ChoiceLoader(loaders), "trim_blocks": True, "lstrip_blocks": True,
            "keep_trailing_newline": True, "undefined": ChainableUndefined,
        }
        self._plain = Environment(autoescape=False, **options)  # text and Markdown, not HTML
        self._html = Environment(autoescape=True, **options)
        for env in (self._plain, self._html):
            env.filters.update(linked=_linked, md=_md, mdlink=_mdlink)

    def render(self, payload: Mapping[str, Any], fmt: str) -> str:
        """The payload in one format (``txt``, ``html`` or ``md``)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown alert format {fmt!r}")
        is_digest = payload.get("schema") == DIGEST_SCHEMA
        name = f"{'digest' if is_digest else 'alert'}.{fmt}.j2"
        env = self._html if fmt == "html" else self._plain
        try:
            template = env.get_template(name)
        except TemplateNotFound as exc:  # pragma: no cover - the built-in folder has every name
            raise ConfigurationError(f"alert template {name} not found") from exc
        context: dict[str, Any] = {"payload": payload, "unsubscribe_url": payload.get("unsubscribe_url") or ""}
        if is_digest:
            context["entries"] = [digest_lines(entry) for entry in payload.get("entries") or []]
        else:
            context["sections"] = sections(payload)
        return template.render(**context)


DEFAULT_TEMPLATES = AlertTemplates()
