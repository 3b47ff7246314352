"""Run one crawl of one source for the daemon: a ``python -m scrapy crawl`` subprocess per crawl.

Why a subprocess: Twisted's reactor cannot be restarted (a second ``CrawlerProcess.start()``
raises ReactorNotRestartable), and a daemon runs hundreds of crawls. A child process per crawl
costs ~1 s but isolates everything a long-lived process must not accumulate — reactor state,
leaked sockets, memory of a huge page, a parser stuck in C code — and can always be killed on
timeout. The child gets its settings in one ``CrawlConfig`` file (``crawlers.config``; nothing is read
from the environment by the crawler) plus the Scrapy-native values as ``-s``, and writes its stats to a
JSON file (``crawlers.extensions.StatsDump``) that this module reads back into a ``CrawlResult``.
The source's incremental state goes in as a snapshot file and comes back as a report
(``core.crawl_state``): the caller loads the one from the database and saves the other.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.bus import BusConfig
from core.captures import CaptureConfig
from core.crawl_state import CrawlState
from core.errors import SourceError
from core.settings import Settings
from crawlers.catalog import find_source, load_sources
from crawlers.config import CONFIG_SETTING, CrawlConfig
from crawlers.health import BLOCKED_SIGN_STAT, BLOCKED_STAT, LIST_LINKS_STAT, TITLE_ANCHORS_STAT

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10.0
# On daemon shutdown the crawl is dropped anyway (its pages are fetched again next time): be quick.
CANCEL_GRACE_SECONDS = 2.0
POLL_SECONDS = 0.2
LOG_TAIL_CHARS = 2000
CAP_PREFIX = "policywatch/caps/"


@dataclass(frozen=True)
class CrawlResult:
    """What one crawl did.

    ``outcome``: ok, partial (some pages or lists failed), bus_unavailable, timeout, cancelled,
    crashed (no stats written; ``error`` holds the log tail) or config_error (unknown/bad source).
    ``state_report``: what the crawl reports of the source's state (None when it wrote nothing).
    """

    source_id: str
    ok: bool
    outcome: str
    stats: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    duration_s: float = 0.0
    state_report: CrawlState | None = None


def user_agent(settings: Settings) -> str:
    """The User-Agent sent to sites: the configured one plus the operator contact."""
    base = settings.crawl.user_agent
    return f"{base} contact: {settings.crawl.contact}" if settings.crawl.contact else base


def crawl_config(
    settings: Settings, bus: BusConfig | None, stats_file: Path | None = None,
    state_file: Path | None = None, state_report_file: Path | None = None, backfill_pages: int = 0,
) -> CrawlConfig:
    """What the crawl process gets of the settings (folders resolved: the child runs from the repo root)."""
    crawl = settings.crawl.model_copy(
        update={"sources_dirs": [Path(d).resolve() for d in settings.crawl.sources_dirs]}
    )
    return CrawlConfig(
        crawl=crawl,
        bus=bus,
        state_file=state_file,
        state_report_file=state_report_file,
        captures=CaptureConfig.from_settings(settings),
        stats_file=stats_file,
        backfill_pages=backfill_pages,
    )


def scrapy_settings(settings: Settings) -> dict[str, str]:
    """The Scrapy-native ``-s`` overrides a crawl gets from policywatch settings."""
    crawl = settings.crawl
    return {
        "USER_AGENT": user_agent(settings),
        "ROBOTSTXT_OBEY": str(crawl.obey_robots),
        "DOWNLOAD_MAXSIZE": str(crawl.max_response_bytes),
        "DOWNLOAD_WARNSIZE": str(max(1024, crawl.max_response_bytes // 4)),
        "DOWNLOAD_TIMEOUT": str(crawl.timeout_seconds),
        "RETRY_TIMES": str(crawl.retries),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(crawl.concurrency_per_domain),
        "LOG_LEVEL": "INFO",
    }


def _summarise(data: dict[str, Any]) -> dict[str, Any]:
    stats = data.get("stats", {})
    failures = stats.get("policywatch/failures") or []
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "requests": int(stats.get("downloader/request_count", 0)),
        "bytes": int(stats.get("downloader/response_bytes", 0)),
        "items": int(stats.get("policywatch/pages_published", 0)) + int(stats.get("policywatch/gone_published", 0)),
        "published": int(stats.get("policywatch/pages_published", 0)),
        "gone": int(stats.get("policywatch/gone_published", 0)),
        "unchanged": int(stats.get("policywatch/unchanged", 0)),
        "not_modified": int(stats.get("policywatch/not_modified", 0)),
        "list_pages": int(stats.get("policywatch/list_pages", 0)),
        "page_cap_reached": bool(stats.get("policywatch/page_cap_reached", False)),
        "page_cap": int(stats.get("policywatch/page_cap", 0)),
        "probes": int(stats.get("policywatch/probes", 0)),
        "window_probes": int(stats.get("policywatch/window_probes", 0)),
        "window_departed": int(stats.get("policywatch/window_departed", 0)),
        "window_backlog": int(stats.get("policywatch/window_backlog", 0)),
        "offsite_redirects": int(stats.get("policywatch/offsite_redirects", 0)),
        "errors": len(failures) + int(stats.get("log_count/ERROR", 0)),
        "failures": failures,
        "lists_complete": bool(data.get("lists_complete")),
        "inventory": int(stats.get("policywatch/inventory_published", 0)),
        "finish_reason": data.get("reason", ""),
        "retries": int(stats.get("retry/count", 0)),
        "warc_records": int(stats.get("policywatch/warc_records", 0)),
        "warc_files": stats.get("policywatch/warc_files", []),
        "bus_error": stats.get("policywatch/bus_error", ""),
        "publish_failed": int(stats.get("policywatch/publish_failed", 0)),
        # Caps on hostile input that were hit (attachment size, pages, time, memory, text): name → count.
        # Source health (crawlers.health): WAF/captcha pages, links the selectors found, titles left over.
        "blocked": int(stats.get(BLOCKED_STAT, 0)),
        "blocked_sign": stats.get(BLOCKED_SIGN_STAT, ""),
        "list_links": int(stats.get(LIST_LINKS_STAT, 0)),
        "title_anchors": int(stats.get(TITLE_ANCHORS_STAT, 0)),
        "caps": {key.removeprefix(CAP_PREFIX): int(value) for key, value in stats.items() if key.startswith(CAP_PREFIX)},
    }


def _tail(path: Path) -> str:
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return ""
    return text[-LOG_TAIL_CHARS:]


def run_crawl(
    source_id: str,
    *,
    settings: Settings,
    bus: BusConfig | None,
    timeout_s: float,
    extra_settings: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    stop_event: threading.Event | None = None,
    state: CrawlState | None = None,
    backfill_pages: int = 0,
) -> CrawlResult:
    """Crawl one source in a child process and report what happened; never raises for a bad crawl.

    ``extra_settings`` are further Scrapy ``-s`` overrides (tests make the simulator crawl fast).
    The child's log goes to ``log_dir/<source_id>.log`` (default ``var_dir/crawl-logs``), replaced
    on each crawl. Setting ``stop_event`` (daemon shutdown) stops the crawl early, like a timeout,
    with outcome ``cancelled``. ``state`` is the source's incremental state (None: a first crawl).
    ``backfill_pages`` > 0 makes it a backfill: that many list pages, past the page cap and max_pages.
    """
    started = time.monotonic()
    try:
        source = find_source(load_sources(settings.crawl.sources_dirs, settings.crawl.simulator_url), source_id)
    except SourceError as exc:
        return CrawlResult(source_id, False, "config_error", {}, str(exc), time.monotonic() - started)
    overrides = scrapy_settings(settings)
    if source.simulated:
        # Our own loopback simulator: no politeness delay needed, and the demo stays quick.
        overrides["AUTOTHROTTLE_ENABLED"] = "False"
    overrides.update(extra_settings or {})
    logs = log_dir or settings.var_dir / "crawl-logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{source_id}.log"
    with tempfile.TemporaryDirectory(prefix="pw-crawl-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        state_file = (state or CrawlState(source_id)).write(Path(tmp) / "state.json")
        report_file = Path(tmp) / "state-report.json"
        config = crawl_config(settings, bus, stats_file, state_file, report_file, backfill_pages)
        config_file = config.write(Path(tmp) / "crawl-config.json")
        overrides[CONFIG_SETTING] = str(config_file)
        command = [sys.executable, "-m", "scrapy", "crawl", source_id]
        for key, value in overrides.items():
            command += ["-s", f"{key}={value}"]
        env = {"SCRAPY_SETTINGS_MODULE": "crawlers.scrapy_settings", "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8"}
        with log_path.open("wb") as log_handle:
            process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                stdout=log_handle, stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal Ctrl-C reaches the daemon, which cancels us
            )
            timed_out = cancelled = False
            deadline = started + timeout_s
            while process.poll() is None:
                if stop_event is not None and stop_event.is_set():
                    cancelled = True
                    _stop(process, CANCEL_GRACE_SECONDS)
                    break
                if time.monotonic() >= deadline:
                    timed_out = True
                    _stop(process)
                    break
                try:
                    process.wait(timeout=min(POLL_SECONDS, max(0.01, deadline - time.monotonic())))
                except subprocess.TimeoutExpired:
                    continue
        duration = time.monotonic() - started
        data: dict[str, Any] = {}
        if stats_file.exists():
            try:
                data = json.loads(stats_file.read_text("utf-8"))
            except ValueError as exc:
                log.warning("stats of crawl %s unreadable: %s", source_id, exc)
        report = _read_report(report_file)
    stats = _summarise(data) if data else {}
    if cancelled:
        return CrawlResult(source_id, False, "cancelled", stats, "crawl stopped: shutting down", duration, report)
    if timed_out:
        return CrawlResult(source_id, False, "timeout", stats, f"crawl stopped after {timeout_s:g} s", duration, report)
    if not data:
        return CrawlResult(
            source_id, False, "crashed", {}, f"exit code {process.returncode}: {_tail(log_path)}", duration
        )
    reason = stats["finish_reason"]
    if reason == "bus_unavailable" or stats["publish_failed"]:
        why = stats["bus_error"] or "the broker did not acknowledge"
        return CrawlResult(source_id, False, "bus_unavailable", stats, f"bus unavailable: {why}", duration, report)
    # A source whose lists show only the newest documents never has a complete inventory, by design;
    # but the page cap stopping its pagination (rather than its max_pages) is a problem all the same.
    capped = stats["page_cap_reached"]
    lists_ok = not capped and (
        stats["lists_complete"] or (not source.pagination.complete and stats["list_pages"] > 0)
    )
    if reason == "finished" and lists_ok and not stats["failures"]:
        return CrawlResult(source_id, True, "ok", stats, "", duration, report)
    problems = list(stats["failures"][:5])
    if not lists_ok:
        problems.insert(0, "not every list page was read")
    if capped:
        problems.insert(
            0,
            f"page cap of {stats['page_cap']} list pages reached: further list pages were not read "
            "(raise crawl.page_cap, or set pagination.max_pages if only the newest pages matter)",
        )
    if reason != "finished":
        problems.insert(0, f"crawl closed: {reason}")
    return CrawlResult(source_id, False, "partial", stats, "; ".join(problems), duration, report)


def _read_report(path: Path) -> CrawlState | None:
    """The crawl's report of its state; None when it wrote none (crashed, killed) or it is unreadable."""
    try:
        return CrawlState.read(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:
        log.warning("crawl state report %s unreadable: %s", path, exc)
        return None


def _stop(process: subprocess.Popen[bytes], grace_s: float = GRACE_SECONDS) -> None:
    """SIGTERM (Scrapy shuts down cleanly and dumps stats), then SIGKILL after a grace period."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
