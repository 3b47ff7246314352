"""JSON-lines file sink: one alert per line, appended and fsynced (the demo's and auditors' outbox)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from alerts.channels.base import ChannelContext
from alerts.render import RenderedAlert
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings


class FileChannel:
    """Appends alerts to the subscription's target path, or to ``alerts.outbox_file`` if it has none."""

    name = "file"

    def __init__(self, default_path: Path | None = None) -> None:
        self.default_path = default_path

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> FileChannel:
        return cls(settings.outbox_file)

    def resolve(self, delivery_target: str) -> Path:
        if delivery_target.strip():
            return Path(delivery_target.strip())
        if self.default_path is None:
            raise PermanentError("file delivery without a target path and alerts.outbox_file is not set")
        return self.default_path

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        path = self.resolve(delivery_target)
        line = json.dumps(message.as_json(), ensure_ascii=False, sort_keys=True) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one line in append mode: concurrent writers never interleave inside a line.
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            raise PermanentError(f"cannot append to {path}: {exc}") from exc
        except OSError as exc:
            raise TransientError(f"cannot append to {path}: {exc}") from exc
