"""The pipeline's Prometheus metrics on a real run (simulated site, embedded broker, SQLite, file channel):
latency from fetch to store, store to alert and alert to delivery, delivery outcomes, crawl outcomes per
source, and consumer lag per group and partition."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import generate_latest

from core.events import CONSUMER_GROUPS
from core.settings import load_settings
from crawlers.simulator import SimulatedSites
from policywatch.pipeline import Pipeline

pytestmark = pytest.mark.slow  # one pipeline and one real crawl (~6 s)

SUBSCRIPTIONS = """
[[subscription]]
name = "everything"
channel = "file"
target = ""
ai_only = false
"""


def samples(pipeline: Pipeline) -> dict[str, float]:
    text = generate_latest(pipeline.metrics.registry).decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines() if line.startswith("policywatch_")
    }


def test_a_crawl_to_delivery_run_fills_latency_delivery_crawl_and_lag_metrics(sim: SimulatedSites, tmp_path: Path) -> None:
    (tmp_path / "subs.toml").write_text(SUBSCRIPTIONS, encoding="utf-8")
    settings = load_settings(
        None, var_dir=tmp_path / "var", web={"enabled": False},
        crawl={"simulator_url": sim.base_url, "enabled_sources": ["sim-nansha"]},
        alerts={"subscriptions_file": tmp_path / "subs.toml", "outbox_file": tmp_path / "outbox.jsonl"},
    )
    with Pipeline(settings) as pipeline:
        assert pipeline.crawl("sim-nansha").ok
        pipeline.wait_idle(timeout_s=60)
        pipeline.export_lag()
        found = samples(pipeline)

    assert (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").count("\n") == 1  # the one seed plan
    for span in ("fetched_to_stored", "stored_to_alerted", "alerted_to_delivered", "fetched_to_delivered"):
        assert found[f'policywatch_latency_seconds_count{{span="{span}"}}'] == 1, span
        assert 0 < found[f'policywatch_latency_seconds_sum{{span="{span}"}}'] < 60, span
    assert found['policywatch_deliveries_total{channel="file",status="sent"}'] == 1
    assert found['policywatch_crawls_total{outcome="ok",source="sim-nansha"}'] == 1
    lags = {key: value for key, value in found.items() if key.startswith("policywatch_consumer_lag{")}
    groups = {key.split('group="')[1].split('"')[0] for key in lags}
    assert groups == {f"policywatch.{group}" for group in CONSUMER_GROUPS}  # crawl-worker too (lag 0 here)
    assert len(lags) == len(CONSUMER_GROUPS) * settings.kafka.partitions and set(lags.values()) == {0.0}  # all drained
