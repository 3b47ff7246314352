"""Where WARC captures are kept — a local folder or S3-compatible object storage — and how any node reads
one back.

A crawl writes WARC records with warcio to a local file (a WARC file grows record by record; object
storage has no append) and hands each closed file to its ``CaptureStore``: the local store leaves it where
it is, the S3 store uploads it and removes the local copy. A capture *reference*, what
``PageFetched.warc_record`` and a stored version carry, is ``<location>#<WARC-Record-ID>``: the file name
for the local folder (as it always was), ``s3://<bucket>/<key>`` for object storage. The location is known
before the file is closed, so a page can be published at once; an S3 reference names the object, so any
node with the storage settings reads it, whichever node crawled. A file that could not be handed over
(storage down, crawl killed) stays in the local folder and is handed over by the next crawl of its source.

Secrets: the S3 secret key is a ``SecretStr`` (masked in every repr and log line); only ``to_json`` — the
owner-only file a crawl process reads its settings from — carries it in clear.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from core.errors import CaptureStorageUnavailable, StartupError
from core.settings import CaptureSettings, Settings

log = logging.getLogger(__name__)

S3_SCHEME = "s3://"


@dataclass(frozen=True)
class CaptureConfig:
    """The capture settings of one process, built once from Settings by the composition root and carried
    into a crawl's process (``to_json``/``from_json``), like ``BusConfig``. ``folder`` is the local folder:
    the archive itself (local backend), or where files wait to be uploaded (S3 backend)."""

    settings: CaptureSettings
    folder: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> CaptureConfig:
        return cls(settings.captures, settings.warc_dir.resolve())

    def to_json(self) -> str:
        data = self.settings.model_dump(mode="json")
        data["s3"]["secret_access_key"] = self.settings.s3.secret_access_key.get_secret_value()
        return json.dumps({"settings": data, "folder": str(self.folder)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CaptureConfig:
        data: dict[str, Any] = json.loads(text)
        return cls(CaptureSettings.model_validate(data["settings"]), Path(data["folder"]))


def split_reference(reference: str) -> tuple[str, str]:
    """(location, WARC-Record-ID) of ``<location>#<record id>``; LookupError when either part is missing."""
    location, _, record_id = reference.partition("#")
    if not location or not record_id:
        raise LookupError(f"not a capture reference: {reference!r}")
    return location, record_id


class CaptureStore(Protocol):
    """Where closed WARC files go and where references are read from."""

    folder: Path

    def reference(self, file_name: str, record_id: str) -> str:
        """The reference of a record in a file being written to ``folder`` (before it is handed over)."""
        ...

    def hand_over(self, path: Path) -> None:
        """Keep a closed WARC file; raises CaptureStorageUnavailable when the storage refused it."""
        ...

    def describe(self) -> str:
        """Where captures go, for logs and `config check` (no secret)."""
        ...

    def check(self) -> None:
        """Raise StartupError (naming the setting) when captures cannot be written or read."""
        ...


class LocalCaptureStore:
    """Captures in a local folder: the crawl writes them where they stay."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def reference(self, file_name: str, record_id: str) -> str:
        return f"{file_name}#{record_id}"

    def hand_over(self, path: Path) -> None:
        """Nothing to do: the file was written in place."""

    def describe(self) -> str:
        return f"local folder {self.folder}"

    def check(self) -> None:
        """The folder, or the nearest folder above it that exists (a crawl creates the rest), is writable."""
        existing = next(p for p in (self.folder, *self.folder.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise StartupError(f"cannot write WARC files to {self.folder} ({existing} is not a writable folder)",
                               setting="captures.folder")


class S3CaptureStore:
    """Captures in an S3-compatible bucket (boto3): closed files are uploaded, then removed locally."""

    def __init__(self, settings: CaptureSettings, folder: Path) -> None:
        self.folder = folder
        self.s3 = settings.s3
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client(self.s3)
        return self._client

    def key(self, file_name: str) -> str:
        return f"{self.s3.prefix}{file_name}"

    def reference(self, file_name: str, record_id: str) -> str:
        return f"{S3_SCHEME}{self.s3.bucket}/{self.key(file_name)}#{record_id}"

    def hand_over(self, path: Path) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.upload_file(str(path), self.s3.bucket, self.key(path.name))
        except (BotoCoreError, ClientError) as exc:
            raise CaptureStorageUnavailable(f"cannot upload {path.name} to {self.describe()}: {exc}") from exc
        path.unlink()
        log.info("WARC file %s stored in %s", path.name, self.describe())

    def describe(self) -> str:
        endpoint = self.s3.endpoint_url or "AWS S3"
        return f"{S3_SCHEME}{self.s3.bucket}/{self.s3.prefix} at {endpoint}"

    def check(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.s3.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise StartupError(
                f"cannot reach the capture bucket {self.describe()}: {exc}",
                setting="captures.s3.endpoint_url / bucket / access_key_id",
            ) from exc


def s3_client(s3: Any) -> Any:
    """A boto3 S3 client from ``captures.s3`` (empty credentials: boto3's own credential chain)."""
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {
        "config": Config(
            s3={"addressing_style": s3.addressing_style},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        )
    }
    if s3.endpoint_url:
        options["endpoint_url"] = s3.endpoint_url
    if s3.region:
        options["region_name"] = s3.region
    if s3.access_key_id:
        options["aws_access_key_id"] = s3.access_key_id
        options["aws_secret_access_key"] = s3.secret_access_key.get_secret_value()
    return boto3.client("s3", **options)


def capture_store(config: CaptureConfig) -> CaptureStore:
    """The store ``captures.backend`` names."""
    if config.settings.backend == "s3":
        return S3CaptureStore(config.settings, config.folder)
    return LocalCaptureStore(config.folder)


@contextmanager
def open_capture(config: CaptureConfig, location: str) -> Iterator[BinaryIO]:
    """The WARC file a reference's location names, as a binary stream, from whichever storage holds it:
    ``s3://bucket/key`` from object storage (with ``captures.s3``'s endpoint and credentials), a plain file
    name from the local folder. LookupError when it is not there; CaptureStorageUnavailable when the
    storage does not answer."""
    if not location.startswith(S3_SCHEME):
        path = config.folder / location
        if "/" in location or not path.is_file():
            raise LookupError(f"no WARC file {location!r} in {config.folder}")
        with path.open("rb") as handle:
            yield handle
        return
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = location[len(S3_SCHEME):].partition("/")
    try:
        body = s3_client(config.settings.s3).get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NoSuchBucket"):
            raise LookupError(f"no WARC object {location} (not uploaded yet, or deleted)") from exc
        raise CaptureStorageUnavailable(f"cannot read {location}: {exc}") from exc
    except BotoCoreError as exc:
        raise CaptureStorageUnavailable(f"cannot read {location}: {exc}") from exc
    try:
        yield body
    finally:
        body.close()
