"""The single typed settings object, read once at the edge and passed down.

Sources, lowest priority first: built-in defaults, ``policywatch.toml`` (path overridable),
``POLICYWATCH_*`` environment variables (nested with ``__``, e.g. ``POLICYWATCH_DATABASE__URL``),
and explicit overrides from the CLI. Validation errors name the key and the problem.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.errors import SettingsError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES_DIR = PACKAGE_ROOT / "crawlers" / "sources"




class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file under var_dir.")
    echo: bool = Field(False, description="Log every SQL statement.")


class KafkaSettings(_Section):
    bootstrap_servers: list[str] = Field(
        default_factory=list,
        description="Kafka brokers (host:port). Empty: start an embedded Tansu broker on loopback.",
    )
    topic_prefix: str = Field("pw", description="Prefix of every topic name.")
    partitions: int = Field(3, ge=1, le=256, description="Partitions of each topic created.")
    replication_factor: int = Field(1, ge=1, le=5, description="Replication factor of each topic.")
    group_prefix: str = Field("policywatch", description="Prefix of consumer group ids.")
    session_timeout_ms: int = Field(6000, ge=1000, description="Consumer group session timeout.")
    heartbeat_interval_ms: int = Field(1000, ge=100, description="Consumer heartbeat interval.")
    fetch_max_wait_ms: int = Field(100, ge=1, le=5000, description="Longest a fetch waits for data.")
    max_request_size: int = Field(16 * 1024 * 1024, ge=1024, description="Largest event produced, bytes.")
    request_timeout_ms: int = Field(15000, ge=1000, description="Producer/consumer request timeout.")
    send_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest a publish waits for the broker's acknowledgement before it fails."
    )
    max_poll_records: int = Field(50, ge=1, le=10000, description="Most events a stage takes in one poll.")
    max_poll_interval_ms: int = Field(
        300000, ge=10000, description="Longest a stage may take between polls before the group replaces it."
    )
    idempotent_producer: bool = Field(
        False,
        description="Idempotent producer: a retried send is never written twice. Turn on with Apache Kafka; "
        "off for the embedded Tansu broker, whose restarts break it.",
    )

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_port(cls, value: list[str]) -> list[str]:
        for server in value:
            host, sep, port = server.rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"{server!r} is not host:port")
        return value


class CrawlSettings(_Section):
    sources_dirs: list[Path] = Field(
        default_factory=lambda: [DEFAULT_SOURCES_DIR],
        description="Folders of source definition files (one TOML file per source).",
    )
    enabled_sources: list[str] = Field(
        default_factory=list, description="Source ids to schedule; empty means every source found."
    )
    simulator_url: str = Field(
        "", description="Base URL substituted for {simulator} in simulated source definitions."
    )
    interval_minutes: float = Field(60.0, gt=0, description="Default time between crawls of a source.")
    jitter_seconds: int = Field(120, ge=0, description="Random delay added to each scheduled crawl.")
    user_agent: str = Field(
        "policywatch/0.1 (+https://github.com/policywatch; policy monitoring)",
        description="User-Agent sent to the sites.",
    )
    contact: str = Field("", description="Operator contact (email) appended to the User-Agent.")
    obey_robots: bool = Field(True, description="Obey robots.txt.")
    max_response_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="Largest response accepted.")
    timeout_seconds: float = Field(30.0, gt=0, description="Download timeout per request.")
    retries: int = Field(2, ge=0, le=10, description="Retries of a failed request.")
    concurrency_per_domain: int = Field(2, ge=1, le=64, description="Parallel requests per domain.")
    page_cap: int = Field(50, ge=1, description="Most list pages followed per source and crawl.")
    removed_after_missing: int = Field(
        2, ge=1, description="Crawls a document may be missing from its list before it counts as removed."
    )
    crawl_timeout_seconds: float = Field(1800.0, gt=0, description="A crawl running longer is stopped.")
    window_probes: int = Field(
        20, ge=0, description="Most probes per crawl of pages that left a newest-pages-only list (removal check)."
    )
    retry_backoff_base_seconds: float = Field(
        1.0, ge=0, description="Wait before the first retry of a failed request; doubles with each retry."
    )
    retry_backoff_max_seconds: float = Field(30.0, ge=0, description="Longest wait before a retry of a request.")
    attachment_max_decompressed_bytes: int = Field(
        64 * 1024 * 1024, ge=1024,
        description="Largest decompressed size of an attachment: DOCX/ZIP members (checked before parsing) and each PDF stream.",
    )
    attachment_max_pdf_pages: int = Field(300, ge=1, description="Most PDF pages whose text is extracted; the rest is skipped.")
    attachment_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest text extraction of one attachment (in a child process, killed at the limit)."
    )
    attachment_memory_mb: int = Field(
        1024, ge=128, description="Address-space limit of the child process extracting an attachment's text."
    )
    max_document_text_chars: int = Field(
        1_000_000, ge=1000, description="Most characters of attachment text kept per document; the rest is cut."
    )
    capture_warc: bool = Field(True, description="Write every response, with its request, to WARC files.")
    warc_max_bytes: int = Field(
        100 * 1024 * 1024, ge=1024, description="A WARC file larger than this is closed and a new one started."
    )
    crawls_per_domain: int = Field(
        1, ge=1, le=64,
        description="Most crawls of one domain at a time across every crawl worker (a lease per slot in the database).",
    )
    domain_lease_seconds: float = Field(
        120.0, ge=5,
        description="A domain slot whose crawl worker stopped renewing it (killed, cut off) is free again after this.",
    )


class S3CaptureSettings(_Section):
    endpoint_url: str = Field(
        "", description="S3 API endpoint (MinIO, Ceph, OSS, COS …); empty: AWS's endpoint for the region."
    )
    bucket: str = Field("", description="Bucket the WARC files go to (must exist).")
    prefix: str = Field("warc/", description="Key prefix of every WARC file in the bucket.")
    region: str = Field("", description="Region of the bucket; empty: the client's default.")
    access_key_id: str = Field("", description="Access key id; empty: boto3's default credential chain.")
    secret_access_key: SecretStr = Field(
        SecretStr(""), description="Secret access key (never logged); empty: boto3's default credential chain."
    )
    addressing_style: Literal["auto", "path", "virtual"] = Field(
        "auto", description="Bucket in the path or in the host name (most self-hosted servers want path)."
    )


class CaptureSettings(_Section):
    backend: Literal["local", "s3"] = Field(
        "local", description="Where closed WARC files are kept: a local folder, or S3-compatible object storage."
    )
    folder: Path | None = Field(
        None,
        description="Folder a crawl writes WARC files to — the archive (local backend) or where they wait "
        "for upload (S3); empty: var_dir/warc.",
    )
    s3: S3CaptureSettings = Field(default_factory=S3CaptureSettings)

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> CaptureSettings:
        if self.backend == "s3" and not self.s3.bucket:
            raise ValueError("captures.backend = 's3' needs captures.s3.bucket")
        return self


class SmtpSettings(_Section):
    host: str = Field("", description="SMTP server; empty disables the email channel.")
    port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    username: str = Field("", description="SMTP login user.")
    password: str = Field("", description="SMTP login password.")
    starttls: bool = Field(False, description="Upgrade the connection with STARTTLS.")
    sender: str = Field("policywatch@localhost", description="From address of alert emails.")
    timeout_seconds: float = Field(15.0, gt=0, description="SMTP socket timeout.")


class AlertSettings(_Section):
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    outbox_file: Path | None = Field(
        None, description="If set, every alert is also appended to this JSON-lines file."
    )
    console: bool = Field(False, description="Print every alert to standard output.")
    public_base_url: str = Field(
        "", description="Base URL of the web UI used in alert links; empty uses the web host and port."
    )
    max_attempts: int = Field(
        100, ge=1, description="Most attempts of one delivery before it is marked failed (also bounded by retry_window_hours)."
    )
    retry_base_seconds: float = Field(
        30.0, gt=0, description="Back-off before the second attempt of a delivery; doubles with each failure (full jitter)."
    )
    retry_max_seconds: float = Field(3600.0, gt=0, description="Longest back-off between two attempts of a delivery.")
    retry_window_hours: float = Field(
        24.0, gt=0, description="A delivery failing transiently is retried for this long after its first attempt, then marked failed."
    )
    lease_seconds: float = Field(
        300.0, ge=10, description="A claimed delivery not settled within this time (deliverer killed mid-send) is due again."
    )
    realert_after_seconds: float = Field(
        300.0, ge=1,
        description="A change published this long ago but not yet handled by the alert stage is published again (its event was lost).",
    )
    deliver_interval_seconds: float = Field(
        15.0, gt=0, description="How often the deliverer looks for deliveries that are due (new alerts wake it at once)."
    )
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="Longest a webhook receiver may take to answer.")
    subscriptions_file: Path | None = Field(
        None, description="TOML file of subscriptions, synced into the database at start."
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="Networks (CIDR) webhook and chat targets may resolve to besides public addresses; "
        "loopback, private, link-local and metadata addresses are refused otherwise.",
    )
    webhook_follow_redirects: bool = Field(
        False, description="Follow a webhook receiver's redirects (each hop checked like the target); off: a redirect fails."
    )
    operator_email: str = Field(
        "", description="Operator alerts (a source blocked, empty or changed layout) also go to this address (needs alerts.smtp.host)."
    )
    operator_webhook: str = Field("", description="Operator alerts are also POSTed to this URL.")

    @field_validator("allowed_networks")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"{cidr!r} is not a network (CIDR such as 10.1.0.0/16)") from exc
        return value

    lifecycle_check_minutes: float = Field(
        60.0, gt=0, description="How often documents are checked for lifecycle alerts (即将失效, 已失效, 已被替代)."
    )
    expiry_notice_days: int = Field(
        30, ge=0, le=3650, description="Days before a document's expiry or end of plan period that 即将失效 is alerted."
    )
    timezone: str = Field(
        "Asia/Shanghai", description="Time zone of digest hours and of the day a document expires."
    )
    unsubscribe_secret: SecretStr = Field(
        SecretStr(""), description="Key signing one-click unsubscribe links (never logged); empty: links are not offered."
    )
    rate_limits: dict[str, int] = Field(
        default_factory=lambda: {"dingtalk": 20, "wecombot": 20, "feishu": 100},
        description="Most messages per minute to one target, by channel name or Apprise URL scheme; excess waits, never dropped.",
    )
    templates_dir: Path | None = Field(
        None, description="Folder of Jinja2 templates overriding the built-in alert templates (same file names)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)") from exc
        return value

    @field_validator("rate_limits")
    @classmethod
    def _positive_limits(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(key for key, limit in value.items() if limit < 1)
        if bad:
            raise ValueError(f"limits must be at least 1 message per minute: {bad}")
        return value


class WebSettings(_Section):
    enabled: bool = Field(True, description="Serve health, metrics and the archive UI.")
    host: str = Field("127.0.0.1", description="Listen address of the HTTP endpoints.")
    port: int = Field(8470, ge=0, le=65535, description="Listen port of the HTTP endpoints (0: any free).")
    expiring_within_days: int = Field(
        90, ge=0, le=3650, description="A document ending within this many days is shown as 即将失效 (expiring)."
    )
    archive_requires_key: bool = Field(
        False, description="The archive (API, pages, region feeds) answers only requests with an account's API key."
    )


class LoggingSettings(_Section):
    level: str = Field("INFO", description="Log level.")
    json_format: bool = Field(False, description="Emit JSON log lines.")

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper


class Settings(BaseSettings):
    """Every setting of policywatch. Frozen once loaded."""

    model_config = SettingsConfigDict(
        env_prefix="POLICYWATCH_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    var_dir: Path = Field(Path("var"), description="Folder for the SQLite file, WARC files and runtime state.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    captures: CaptureSettings = Field(default_factory=CaptureSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    toml_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_file))
        return tuple(sources)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{(self.var_dir / 'policywatch.db').as_posix()}"

    @property
    def warc_dir(self) -> Path:
        """Where a crawl writes its WARC files: the archive itself (local backend), or where closed files
        wait to be handed to object storage (S3 backend)."""
        return self.captures.folder or self.var_dir / "warc"

    @property
    def runtime_file(self) -> Path:
        return self.var_dir / "runtime.json"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from defaults, ``config_file`` (if it exists), the environment and overrides.

    Raises SettingsError naming each invalid key and what is wrong with its value.
    """
    if config_file is not None and not config_file.exists():
        raise SettingsError(f"config file {config_file} does not exist")
    cls = type("LoadedSettings", (Settings,), {"toml_file": config_file})
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"])
            value = err.get("input")
            problems.append(f"{key}: {err['msg']} (got {value!r})")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(problems)) from exc


def describe_settings() -> list[tuple[str, str, str]]:
    """(dotted key, default, help) for every setting: used by the docs and their meta-test."""
    rows: list[tuple[str, str, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
                continue
            default = field.get_default(call_default_factory=True)
            shown = repr(default).replace(str(PACKAGE_ROOT) + "/", "")
            rows.append((f"{prefix}{name}", shown, field.description or ""))

    walk(Settings, "")
    return rows
