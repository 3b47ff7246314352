"""Daemon memory over many crawl cycles (``make bench-rss``; ``python -m bench.rss [CYCLES] [SOURCES]``).

The daemon (``policywatch.daemon.Daemon``: pipeline, stages, deliverer, scheduler, web endpoints) runs
on embedded defaults (Tansu broker, SQLite) against simulated sites: SOURCES / 5 simulator instances,
each serving the five simulated portals on its own port, so every source has its own documents. Each
cycle crawls every source once (two at a time, as the scheduler's pool may) and waits until the stages
are idle; before it, one instance publishes a new document on each of its portals, so every cycle has
new work, alerts and deliveries (to a file). The daemon's own RSS is read after every cycle — crawls
are child processes and are not in it, by design (``crawlers.runner``).

Goal: ≤ 300 MB after 100 cycles of 50 sources, and flat (the slope after warm-up near zero).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import psutil

from core.settings import load_settings
from crawlers.simulator import SimulatedSites
from policywatch.daemon import Daemon

SIMULATED = Path(__file__).resolve().parent.parent / "crawlers" / "sources" / "simulated"
SITES = ("nansha", "shenyang", "liuzhou", "minhang", "shenzhen")
GOAL_MB = 300.0
WARMUP_CYCLES = 2
SUBSCRIPTIONS = '[[subscription]]\nname = "everything"\nchannel = "file"\ntarget = ""\nai_only = false\n'


def write_sources(folder: Path, instances: list[SimulatedSites]) -> list[str]:
    """One source file per (instance, portal), with the instance's address written in."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for number, sites in enumerate(instances):
        for site in SITES:
            text = (SIMULATED / f"{site}.toml").read_text(encoding="utf-8")
            source_id = f"sim-{site}-{number}"
            text = text.replace(f'id = "sim-{site}"', f'id = "{source_id}"').replace("{simulator}", sites.base_url)
            (folder / f"{source_id}.toml").write_text(text, encoding="utf-8")
            ids.append(source_id)
    return ids


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per cycle."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def main(cycles: int = 100, sources: int = 50) -> int:
    me = psutil.Process()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="pw-bench-rss-") as tmp:
        root = Path(tmp)
        instances = [stack.enter_context(SimulatedSites()) for _ in range(max(1, sources // len(SITES)))]
        ids = write_sources(root / "sources", instances)
        (root / "subs.toml").write_text(SUBSCRIPTIONS, encoding="utf-8")
        settings = load_settings(
            None, var_dir=root / "var", web={"port": 0},
            crawl={"sources_dirs": [root / "sources"], "enabled_sources": ["(none: the bench drives the crawls)"],
                   "timeout_seconds": 5.0},
            alerts={"subscriptions_file": root / "subs.toml", "outbox_file": root / "outbox.jsonl"},
            logging={"level": "WARNING"},
        )
        daemon = Daemon(settings)
        daemon.pipeline.extra_crawl_settings = {"AUTOTHROTTLE_ENABLED": "False"}
        daemon.start()
        stack.callback(daemon.stop)
        start_mb = me.memory_info().rss / 2**20
        rss: list[tuple[int, float]] = []
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            for cycle in range(1, cycles + 1):
                publisher = instances[cycle % len(instances)]
                for site in SITES:
                    publisher.publish(site, f"rss{cycle}", f"人工智能产业发展措施（第{cycle}号）",
                                      f"为推进人工智能产业发展，第{cycle}轮措施如下。" * 30, "2026-11-30")
                outcomes = list(pool.map(lambda source: daemon.pipeline.crawl(source).outcome, ids))
                daemon.pipeline.wait_idle(timeout_s=300)
                mb = me.memory_info().rss / 2**20
                rss.append((cycle, mb))
                bad = len([o for o in outcomes if o != "ok"])
                print(f"cycle {cycle:3d}: RSS {mb:7.1f} MB  ({bad} crawls not ok, {time.perf_counter() - started:5.0f} s)",
                      file=sys.stderr, flush=True)
        stored = (root / "outbox.jsonl").read_text(encoding="utf-8").count("\n")
    after_warmup = rss[WARMUP_CYCLES:] if len(rss) > WARMUP_CYCLES + 1 else rss
    per_cycle = slope(after_warmup)
    end_mb, peak = rss[-1][1], max(mb for _, mb in rss)
    print(f"daemon RSS over {cycles} crawl cycles of {len(ids)} simulated sources ({stored} alerts delivered)")
    print(f"  at start {start_mb:.1f} MB, after cycle 1 {rss[0][1]:.1f} MB, after cycle {cycles} {end_mb:.1f} MB, peak {peak:.1f} MB")
    print(f"  slope after {WARMUP_CYCLES} warm-up cycles: {per_cycle:+.3f} MB per cycle "
          f"({per_cycle * 100:+.1f} MB per 100 cycles)")
    ok = end_mb <= GOAL_MB and per_cycle * 100 <= 0.1 * GOAL_MB
    print(f"  goal ≤ {GOAL_MB:.0f} MB and flat: {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    raise SystemExit(main(*args))
