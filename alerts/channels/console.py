"""Console sink: the alert's text written to a stream the CLI hands in (never print below the CLI)."""

from __future__ import annotations

from typing import TextIO

from alerts.channels.base import ChannelContext, ChannelNotConfigured
from alerts.render import RenderedAlert
from core.settings import AlertSettings


class ConsoleChannel:
    """Writes each alert as text to an injected stream; the target is shown as the addressee."""

    name = "console"

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> ConsoleChannel:
        if context.console_stream is None:
            raise ChannelNotConfigured("no console stream was given by the caller")
        return cls(context.console_stream)

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        rule = "=" * 72
        header = f"{rule}\n→ {delivery_target}\n" if delivery_target else f"{rule}\n"
        self.stream.write(header + message.text + "\n")
        self.stream.flush()
