"""Real collaborators for the alert tests: a migrated database, an SMTP server and an HTTP receiver."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, migrate, session_factory, transaction
from storage.models import Change, Document, DocumentVersion

# The five seed plans as the classifier would store them (region fields are its job, not ours).
SEEDS: dict[str, dict[str, Any]] = {
    "nansha": {
        "file": "000_fb4ee9a1d35412b6.txt",
        "title": "广州南沙人工智能产业发展三年行动计划（2018-2020年）",
        "issuers": ["广州市南沙区人民政府"],
        "province": "广东省", "city": "广州市", "district": "南沙区", "region_code": "440115",
        "admin_level": "district", "issue_date": date(2018, 8, 1),
    },
    "shenyang": {
        "file": "001_1b4b1833641e6e95.txt",
        "title": "沈阳市新一代人工智能发展规划三年行动计划（2018-2020年）",
        "doc_number": "沈政办发〔2018〕144号",
        "issuers": ["沈阳市人民政府办公厅"],
        "province": "辽宁省", "city": "沈阳市", "region_code": "210100",
        "admin_level": "city", "issue_date": date(2018, 12, 6),
    },
    "liuzhou": {
        "file": "002_39973f5ac97f1ae3.txt",
        "title": "柳州市新一代人工智能与实体经济融合发展规划（2020-2025年）",
        "issuers": ["柳州市人民政府"],
        "province": "广西壮族自治区", "city": "柳州市", "region_code": "450200",
        "admin_level": "city",
    },
    "minhang": {
        "file": "003_7280d984ce98fe0b.txt",
        "title": "闵行区推动新一代人工智能产业发展的实施意见",
        "doc_number": "闵府规发〔2018〕4号",
        "issuers": ["上海市闵行区人民政府"],
        "province": "上海市", "city": "上海市", "district": "闵行区", "region_code": None,
        "admin_level": "district", "issue_date": date(2018, 8, 20),
    },
    "shenzhen": {
        "file": "004_279d2fb2746ce7ce.txt",
        "title": "深圳市新一代人工智能发展行动计划（2019-2023年）",
        "issuers": ["深圳市人民政府"],
        "province": "广东省", "city": "深圳市", "region_code": "440300",
        "admin_level": "city", "issue_date": date(2019, 5, 14),
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (for "server down" cases)."""
    return free_port()


@pytest.fixture
def factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated SQLite database."""
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def db_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    engine = make_engine(db_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


@dataclass
class Library:
    """Writes documents, versions and changes the way the diff stage does."""

    factory: sessionmaker[Session]
    shared_dir: Path

    def seed_text(self, name: str) -> str:
        return (self.shared_dir / "seeds" / SEEDS[name]["file"]).read_text(encoding="utf-8")

    def publish(self, name: str, *, ai_label: str = "yes", text: str | None = None, **fields: Any) -> Change:
        """Store a seed plan as a new document with its first version and a `new` change."""
        spec = {k: v for k, v in SEEDS.get(name, {}).items() if k != "file"} | fields
        body = text if text is not None else self.seed_text(name)
        with transaction(self.factory) as session:
            doc = Document(
                key=f"doc-{name}", source_id=f"src-{name}", url=f"https://gov.example/{name}.html",
                ai_label=ai_label, **spec,
            )
            session.add(doc)
            session.flush()
            version = DocumentVersion(
                document_id=doc.id, seq=1, content_hash=f"{name}-1", title=doc.title, text=body,
                analysis={"period": {"start": 2019, "end": 2023},
                          "targets": [{"metric": "人工智能核心产业规模", "value": "300亿元", "year": 2023}]},
            )
            session.add(version)
            session.flush()
            doc.latest_version_id = version.id
            change = Change(dedup_key=f"{name}-new", document_id=doc.id, version_id=version.id, kind="new",
                            summary={"headline": f"新发布：{doc.title}"})
            session.add(change)
        return change

    def revise(self, name: str, summary: dict[str, Any], text: str | None = None) -> Change:
        """A second version of a published document and its `revised` change."""
        with transaction(self.factory) as session:
            doc = session.query(Document).filter_by(key=f"doc-{name}").one()
            previous = doc.latest_version_id
            version = DocumentVersion(document_id=doc.id, seq=2, content_hash=f"{name}-2", title=doc.title,
                                      text=text if text is not None else self.seed_text(name) + "\n新增条款。")
            session.add(version)
            session.flush()
            doc.latest_version_id = version.id
            change = Change(dedup_key=f"{name}-rev", document_id=doc.id, version_id=version.id,
                            previous_version_id=previous, kind="revised", summary=summary)
            session.add(change)
        return change


@pytest.fixture
def library(factory: sessionmaker[Session], shared_dir: Path) -> Library:
    return Library(factory, shared_dir)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: _Inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on a free loopback port (port=0 does not work with aiosmtpd)."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on a free loopback port in a thread, for the block; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# Test receivers listen on loopback, which webhook channels refuse unless allowed (alerts.allowed_networks).
LOOPBACK = ["127.0.0.0/8"]


@dataclass
class HttpReceiver:
    """Records every POST; answers with the scripted statuses in order, then 200 (a 3xx points to
    ``/moved``); while ``hang_seconds`` is set, waits that long before answering."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hang_seconds: float = 0.0

    def bodies(self) -> list[Any]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            if receiver.hang_seconds:
                time.sleep(receiver.hang_seconds)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.url + "/moved")
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status < 400 else b'{"error": "scripted"}')

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        receiver.url = url
        yield receiver


@pytest.fixture
def make_library(shared_dir: Path) -> Callable[[sessionmaker[Session]], Library]:
    return lambda factory: Library(factory, shared_dir)
