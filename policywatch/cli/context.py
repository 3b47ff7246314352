"""What every command gets: the settings file named on the command line, loaded on demand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.settings import Settings, load_settings
from policywatch.logs import configure_logging


class Context:
    """The command line's state: which settings file, and whether to show tracebacks (``--debug``)."""

    def __init__(self, config: Path | None, debug: bool = False) -> None:
        self.config = config
        self.debug = debug

    def settings(self, **overrides: Any) -> Settings:
        """Load and validate the settings (a SettingsError names the key), then set up logging."""
        settings = load_settings(self.config, **overrides)
        configure_logging(settings.logging)
        return settings


def default_config() -> Path | None:
    path = Path("policywatch.toml")
    return path if path.exists() else None
