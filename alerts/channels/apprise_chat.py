"""Chat channels (DingTalk, WeCom, Feishu, Slack, …) through an Apprise URL per subscription.

Apprise reports only success or failure, not why: an URL it cannot parse is permanent, a failed
notification is treated as transient (the chat service may be down) until attempts run out. An
http-based URL (json://, xml://, a self-hosted server named by address) resolving to a loopback,
private, link-local or metadata address is refused before Apprise is called (``alerts.outbound``).
"""

from __future__ import annotations

from collections.abc import Sequence

import apprise

from alerts.channels.base import ChannelContext
from alerts.outbound import OutboundRefused, Resolver, Unresolvable, check_apprise_url, system_resolver
from alerts.render import RenderedAlert
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings

# Chat robots that render Markdown (and not HTML): they get the Markdown template's body.
MARKDOWN_SCHEMES = frozenset({"dingtalk", "wecombot", "feishu", "lark", "slack", "tgram"})


class AppriseChannel:
    """Sends the subject and body to an Apprise URL such as ``dingtalk://token``: Markdown to the robots
    that render it (钉钉, 企业微信, 飞书 …), plain text to the rest."""

    name = "apprise"

    def __init__(self, allowed_networks: Sequence[str] = (), resolver: Resolver = system_resolver,
                 markdown_schemes: frozenset[str] = MARKDOWN_SCHEMES) -> None:
        self.allowed_networks = list(allowed_networks)
        self.resolver = resolver
        self.markdown_schemes = markdown_schemes

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> AppriseChannel:
        return cls(settings.allowed_networks)

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        try:
            check_apprise_url(delivery_target, self.allowed_networks, self.resolver)
        except OutboundRefused as exc:
            raise PermanentError(f"Apprise target {_redact(delivery_target)}: {exc}") from exc
        except Unresolvable as exc:
            raise TransientError(f"Apprise target {_redact(delivery_target)}: {exc}") from exc
        notifier = apprise.Apprise()
        if not notifier.add(delivery_target.strip()):
            raise PermanentError(f"not a usable Apprise URL: {_redact(delivery_target)}")
        if _scheme(delivery_target) in self.markdown_schemes and message.markdown:
            body, body_format = message.markdown, apprise.NotifyFormat.MARKDOWN
        else:
            body, body_format = message.text, apprise.NotifyFormat.TEXT
        ok = notifier.notify(title=message.subject, body=body, body_format=body_format)
        if not ok:
            raise TransientError(f"Apprise notification to {_redact(delivery_target)} failed")


def _scheme(url: str) -> str:
    return url.strip().partition("://")[0].lower()


def _redact(url: str) -> str:
    """Chat URLs embed tokens: logs and error rows keep only the scheme and host."""
    scheme, sep, rest = url.strip().partition("://")
    return f"{scheme}://{rest.split('/', 1)[0][:4]}…" if sep else "<unparseable>"
