"""`policywatch config check`: what a start would trip over, found without starting anything.

Checked, in order: the settings (one line per invalid key), every source file (one line per file that
does not load, per duplicate id, per enabled source that does not exist), the subscriptions file, the
database (reachable, and at which schema revision), the broker (a Kafka cluster that answers, or the
embedded broker's binary), and the capture storage (a writable folder, or a bucket that answers). Each
finding is one line; a problem names the setting to change. Nothing is created or changed: no database
file, no topic, no folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from core.bus import BusConfig, missing_topics
from core.captures import CaptureConfig, capture_store
from core.embedded_broker import broker_binary
from core.errors import PolicywatchError, SettingsError, SubscriptionError
from core.settings import Settings, load_settings
from crawlers.catalog import collect_sources


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, whether it is fine, and what was found."""

    check: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'PROBLEM':8} {self.check}: {self.detail}"


def check_configuration(config_file: Path | None) -> list[Finding]:
    """Every finding about the configuration ``config_file`` (and the environment) describes."""
    try:
        settings = load_settings(config_file)
    except SettingsError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        problems = lines[1:] if len(lines) > 1 else lines  # "invalid settings:" then one key per line
        return [Finding("settings", False, problem) for problem in problems]
    origin = str(config_file) if config_file is not None else "defaults and POLICYWATCH_* variables"
    return [
        Finding("settings", True, f"valid ({origin})"),
        *check_sources(settings),
        *check_subscriptions(settings),
        check_database(settings),
        *check_broker(settings),
        check_captures(settings),
    ]


def check_sources(settings: Settings) -> list[Finding]:
    crawl = settings.crawl
    sources, errors = collect_sources(crawl.sources_dirs, crawl.simulator_url)
    findings = [Finding("sources", False, f"{error} (change that file, or crawl.sources_dirs)") for error in errors]
    known = {source.id for source in sources}
    findings += [
        Finding("sources", False, f"crawl.enabled_sources names {name!r}, which no source file defines")
        for name in crawl.enabled_sources
        if name not in known
    ]
    if not findings:
        enabled = len(crawl.enabled_sources) or len(sources)
        findings.append(Finding("sources", True, f"{len(sources)} loaded, {enabled} scheduled"))
    return findings


def check_subscriptions(settings: Settings) -> list[Finding]:
    path = settings.alerts.subscriptions_file
    if path is None:
        return []
    from alerts.subscriptions import load_subscriptions_file

    try:
        specs = load_subscriptions_file(path)
    except SubscriptionError as exc:
        return [Finding("subscriptions", False, f"{exc} (change alerts.subscriptions_file)")]
    return [Finding("subscriptions", True, f"{len(specs)} in {path}")]


def shown_url(url: str) -> str:
    """A database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: show no part of it that could hold a secret
        return url.split("://", 1)[0] + "://…"


def check_database(settings: Settings) -> Finding:
    from storage.db import make_engine
    from storage.schema_revision import current_revision, head_revision

    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return Finding("database", True, f"SQLite file {url.removeprefix('sqlite:///')} is created at start")
    try:
        engine = make_engine(url)
    except PolicywatchError as exc:
        return Finding("database", False, str(exc))
    try:
        current, head = current_revision(engine), head_revision(engine)
    except PolicywatchError as exc:
        return Finding("database", False, f"{shown_url(url)}: {exc} (change database.url)")
    finally:
        engine.dispose()
    if current == head:
        return Finding("database", True, f"{shown_url(url)} answers; schema at revision {head} (current)")
    return Finding(
        "database", True,
        f"{shown_url(url)} answers; schema at revision {current or '(empty)'}, this version needs {head}: "
        "`policywatch db upgrade` (or any start) migrates it",
    )


def check_broker(settings: Settings) -> list[Finding]:
    kafka = settings.kafka
    if not kafka.bootstrap_servers:
        findings = []
        try:
            findings.append(Finding("broker", True, f"embedded Tansu broker ({broker_binary()})"))
        except PolicywatchError as exc:
            findings.append(Finding("broker", False, str(exc)))
        if kafka.idempotent_producer:
            findings.append(Finding(
                "broker", False,
                "kafka.idempotent_producer is on with the embedded Tansu broker, whose restarts break it: "
                "turn it off, or set kafka.bootstrap_servers",
            ))
        return findings
    bus = BusConfig.from_settings(kafka)
    servers = ", ".join(bus.bootstrap_servers)
    try:
        missing = missing_topics(bus)
    except PolicywatchError as exc:
        return [Finding("broker", False, f"{exc} (change kafka.bootstrap_servers)")]
    topics = f"{len(missing)} topics to be created at start" if missing else "every topic present"
    return [Finding("broker", True, f"Kafka at {servers} answers; {topics}")]


def check_captures(settings: Settings) -> Finding:
    store = capture_store(CaptureConfig.from_settings(settings))
    try:
        store.check()
    except PolicywatchError as exc:
        return Finding("captures", False, str(exc))
    return Finding("captures", True, store.describe())
