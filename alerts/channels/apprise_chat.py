"""Chat channels (DingTalk, WeCom, Feishu, Slack, …) through an Apprise URL per subscription.

Apprise reports only success or failure, not why: an URL it cannot parse is permanent, a failed
notification is treated as transient (the chat service may be down) until attempts run out.
"""

from __future__ import annotations

import apprise

from alerts.channels.base import ChannelContext
from alerts.render import RenderedAlert
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings


class AppriseChannel:
    """Sends the subject and plain text to an Apprise URL such as ``dingtalk://token``."""

    name = "apprise"

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> AppriseChannel:
        return cls()

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        notifier = apprise.Apprise()
        if not notifier.add(delivery_target.strip()):
            raise PermanentError(f"not a usable Apprise URL: {_redact(delivery_target)}")
        ok = notifier.notify(title=message.subject, body=message.text, body_format=apprise.NotifyFormat.TEXT)
        if not ok:
            raise TransientError(f"Apprise notification to {_redact(delivery_target)} failed")


def _redact(url: str) -> str:
    """Chat URLs embed tokens: logs and error rows keep only the scheme and host."""
    scheme, sep, rest = url.strip().partition("://")
    return f"{scheme}://{rest.split('/', 1)[0][:4]}…" if sep else "<unparseable>"
