"""A second instance of the recording stage in a process of its own, as `policywatch stage` will run
one: ``python recording_instance.py BUS_CONFIG_JSON HANDLED_FILE`` appends each handled URL to the file.
The rebalance test starts it, and kills it to see its partitions move."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from consumers.stage_runner import StageRunner
from core.bus import BusConfig, EventProducer
from core.events import Envelope, Payload
from core.metrics import Metrics


class AppendingStage:
    name = "recording"
    input_topic = "pages"

    def __init__(self, path: Path) -> None:
        self._handle = path.open("a", encoding="utf-8")

    def handle(self, envelope: Envelope, payload: Payload) -> None:
        self._handle.write(f"{payload.url}\n")  # type: ignore[attr-defined]
        self._handle.flush()


def main() -> None:
    bus = BusConfig.from_json(sys.argv[1])
    producer = EventProducer(bus, "second-instance")
    StageRunner(AppendingStage(Path(sys.argv[2])), bus, producer, Metrics()).start()
    threading.Event().wait()  # until killed


if __name__ == "__main__":
    main()
