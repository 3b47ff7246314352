"""Crawl fixtures shared by the crawler and application tests: the simulated sites, fast crawl settings, a
crawl runner on the test's topics, and reading the bus back. Loaded by ``tests/conftest.py``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy.orm import Session, sessionmaker

from core.bus import BusConfig
from core.events import PageValidators
from core.settings import Settings, load_settings
from crawlers.runner import CrawlResult, run_crawl
from crawlers.simulator import SimulatedSites
from storage.crawl_state import forget_page, load_crawl_state, record_page, save_crawl_report
from storage.db import make_engine, migrate, session_factory, transaction

# Fast but otherwise real: no AutoThrottle start delay (short timeouts and backoff are in crawl_settings).
FAST = {"AUTOTHROTTLE_ENABLED": "False"}


@pytest.fixture
def sim() -> Iterator[SimulatedSites]:
    with SimulatedSites(slow_seconds=2.5, oversized_bytes=2 * 1024 * 1024) as sites:
        yield sites


@pytest.fixture
def crawl_settings(tmp_path: Path, sim: SimulatedSites) -> Settings:
    return load_settings(
        None,
        var_dir=tmp_path / "var",
        crawl={
            "simulator_url": sim.base_url,
            "timeout_seconds": 1.0,
            "retries": 1,
            "max_response_bytes": 1024 * 1024,
            "concurrency_per_domain": 4,
            "retry_backoff_base_seconds": 0.05,
            "retry_backoff_max_seconds": 0.2,
        },
    )


class CrawlStateKeeper:
    """Crawls with the incremental state kept as the application keeps it: in a real (SQLite) database,
    loaded before each crawl, advanced by the crawl's report and by the store's commits — here every
    page event the broker acknowledged is committed the way the store stage commits it."""

    def __init__(self, factory: sessionmaker[Session], read_events: Callable[[], list[dict[str, Any]]]) -> None:
        self.factory = factory
        self.read_events = read_events
        self._applied: set[str] = set()

    def run(self, source_id: str, **kwargs: Any) -> CrawlResult:
        with transaction(self.factory) as session:
            state = load_crawl_state(session, source_id)
        result = run_crawl(source_id, state=state, **kwargs)
        with transaction(self.factory) as session:
            if result.state_report is not None:
                save_crawl_report(session, result.state_report)
        self.commit_published()
        return result

    def commit_published(self) -> None:
        with transaction(self.factory) as session:
            for event in self.read_events():
                if event["id"] in self._applied:
                    continue
                self._applied.add(event["id"])
                data = event["data"]
                if event["type"] == "policywatch.page.fetched":
                    validators = PageValidators(**data.get("validators", {}))
                    record_page(session, data["source_id"], data["url"], data["body_sha256"], validators)
                elif event["type"] == "policywatch.page.gone":
                    forget_page(session, data["source_id"], data["url"])


@pytest.fixture
def state_keeper(tmp_path: Path, read_events: Callable[[], list[dict[str, Any]]]) -> Iterator[CrawlStateKeeper]:
    engine = make_engine(f"sqlite:///{tmp_path / 'crawlstate.db'}")
    migrate(engine)
    yield CrawlStateKeeper(session_factory(engine), read_events)
    engine.dispose()


@pytest.fixture
def crawl(
    crawl_settings: Settings, bus_config: BusConfig, state_keeper: CrawlStateKeeper
) -> Callable[..., CrawlResult]:
    """Run one real crawl (subprocess) of a source against the simulator and the test's topics."""

    def run(source_id: str, timeout_s: float = 60.0, **crawl: Any) -> CrawlResult:
        """``crawl`` overrides settings of the ``crawl`` section (page_cap=2, warc_max_bytes=1024 …)."""
        settings = crawl_settings.model_copy(update={"crawl": crawl_settings.crawl.model_copy(update=crawl)})
        return state_keeper.run(source_id, settings=settings, bus=bus_config, timeout_s=timeout_s, extra_settings=FAST)

    return run


@pytest.fixture
def read_events(bus_config: BusConfig) -> Callable[[], list[dict[str, Any]]]:
    """Every event on the pages topic so far, in offset order per partition (no consumer group)."""

    def read() -> list[dict[str, Any]]:
        topic = bus_config.topic("pages")
        consumer = KafkaConsumer(bootstrap_servers=list(bus_config.bootstrap_servers), enable_auto_commit=False)
        try:
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            end = consumer.end_offsets(partitions)
            events: list[dict[str, Any]] = []
            remaining = {tp for tp in partitions if end[tp] > 0}
            for _ in range(100):
                if not remaining:
                    break
                for tp, messages in consumer.poll(timeout_ms=200).items():
                    events.extend(json.loads(m.value) for m in messages)
                    if consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
            return events
        finally:
            consumer.close()

    return read


def of_type(events: list[dict[str, Any]], short: str) -> list[dict[str, Any]]:
    """Payloads of one event type ('page.fetched', 'page.gone', 'source.crawled')."""
    return [e["data"] for e in events if e["type"] == f"policywatch.{short}"]


@pytest.fixture
def events_of() -> Callable[[list[dict[str, Any]], str], list[dict[str, Any]]]:
    return of_type


def _write_nansha_source(
    folder: Path, sim: SimulatedSites, source_id: str, pagination: str, spider: str = "", detail: str = ""
) -> None:
    """A source file reading the simulated 南沙 column with the given [pagination] (and spider/detail)."""
    folder.mkdir(exist_ok=True)
    (folder / f"{source_id}.toml").write_text(
        f'''id = "{source_id}"
name = "南沙 (no page count)"
region = "广州市南沙区"
layout = "static"
list_urls = ["{sim.base_url}/nansha/zwgk/zcwj/index.html"]
{f'spider = "{spider}"' if spider else ""}
[links]
item = "ul.news_list li"
date = "span.date::text"
[pagination]
{pagination}
[detail]
{detail}
[verification]
status = "unverified"
method = "test"
''',
        encoding="utf-8",
    )


@pytest.fixture
def nansha_source() -> Callable[..., None]:
    """Writes a test source for the simulated 南沙 column: ``(folder, sim, source_id, pagination, ...)``."""
    return _write_nansha_source
