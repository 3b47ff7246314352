"""Delivery channels: one module per channel, all registered in ``CHANNELS`` the same way.

Built-ins get no special treatment: an extension calls ``register_channel`` with its class before
``build_channels`` runs. A channel that cannot run with the given settings opts out by raising
ChannelNotConfigured; ``build_channels`` logs which channels run and why the others do not.
"""

from __future__ import annotations

import logging
from typing import TextIO

from alerts.channels.apprise_chat import AppriseChannel
from alerts.channels.base import Channel, ChannelContext, ChannelFactory, ChannelNotConfigured
from alerts.channels.console import ConsoleChannel
from alerts.channels.email_smtp import EmailChannel
from alerts.channels.file import FileChannel
from alerts.channels.webhook import WebhookChannel
from core.settings import AlertSettings

log = logging.getLogger(__name__)

CHANNELS: dict[str, type[ChannelFactory]] = {}


def register_channel(cls: type[ChannelFactory]) -> type[ChannelFactory]:
    """Make a channel class available under its ``name`` (usable as a decorator)."""
    if cls.name in CHANNELS and CHANNELS[cls.name] is not cls:
        raise ValueError(f"channel name {cls.name!r} is already registered by {CHANNELS[cls.name]!r}")
    CHANNELS[cls.name] = cls
    return cls


for _builtin in (EmailChannel, FileChannel, ConsoleChannel, WebhookChannel, AppriseChannel):
    register_channel(_builtin)


def build_channels(settings: AlertSettings, console_stream: TextIO | None = None) -> dict[str, Channel]:
    """Instantiate every registered channel these settings allow; log the running set and opt-outs."""
    context = ChannelContext(console_stream=console_stream)
    running: dict[str, Channel] = {}
    for name, cls in CHANNELS.items():
        try:
            running[name] = cls.from_settings(settings, context)
        except ChannelNotConfigured as exc:
            log.warning("alert channel %s disabled: %s (its deliveries wait until it is configured)", name, exc)
    log.info("alert channels enabled: %s", ", ".join(sorted(running)) or "none")
    return running


__all__ = [
    "CHANNELS",
    "AppriseChannel",
    "Channel",
    "ChannelContext",
    "ChannelNotConfigured",
    "ConsoleChannel",
    "EmailChannel",
    "FileChannel",
    "WebhookChannel",
    "build_channels",
    "register_channel",
]
