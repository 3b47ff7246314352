"""The contract every delivery channel implements, and how channels are built from settings.

A channel class has a ``name``, a ``from_settings`` factory (raising ChannelNotConfigured to opt
out) and ``send``. ``send`` maps its library's failures onto policywatch's hierarchy at the
boundary: TransientError when a later attempt may succeed (server down, timeout, 5xx),
PermanentError when the target itself is wrong (bad address, 4xx) and retrying cannot help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Self, TextIO, runtime_checkable

from alerts.render import RenderedAlert
from core.errors import ConfigurationError
from core.settings import AlertSettings


class ChannelNotConfigured(ConfigurationError):
    """Raised by ``from_settings`` when a channel cannot run with these settings (it is left out)."""


@dataclass(frozen=True)
class ChannelContext:
    """Collaborators only the composition root has (the CLI's standard output, for instance)."""

    console_stream: TextIO | None = None


@runtime_checkable
class Channel(Protocol):
    """Sends one rendered alert to one target (mail address, URL, file path …)."""

    name: str

    def send(self, delivery_target: str, message: RenderedAlert) -> None: ...


class ChannelFactory(Protocol):
    """A channel class as registered in ``CHANNELS``."""

    name: str

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> Self: ...

    def send(self, delivery_target: str, message: RenderedAlert) -> None: ...
