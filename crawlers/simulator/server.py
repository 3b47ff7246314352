"""A threaded local HTTP server publishing the simulated government sites.

Tests and the demo drive real changes through ``publish`` / ``revise`` / ``take_down``, and real
failures through ``inject_error`` (slow, 500, 404, truncated body, wrong charset, oversized page,
redirect loop, a redirect to another host, a WAF captcha page, an empty list, a redesigned list). Validators (ETag / Last-Modified) are served per site as real portals do, so the
crawler's conditional GETs meet 304s; ``request_log`` records what was asked and served.

One module on purpose: the request handler, the error modes and the mutation API share the one
per-site state and its lock; split up, every piece would reach into the others.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from crawlers.simulator.attachments import make_docx_bomb, make_pdf_bomb
from crawlers.simulator.http_server import BackgroundHttpServer
from crawlers.simulator.sites import (
    CAPTCHA_PAGE,
    COLUMN,
    SITES,
    SimAttachment,
    SimDocument,
    SiteSpec,
    attachment_path,
    default_attachments,
    detail_path,
    list_page_name,
    render_detail,
    render_json_list,
    render_list,
    render_liuzhou_column,
    render_redesigned_list,
    seed_documents,
)

ERROR_MODES: tuple[str, ...] = (
    "slow", "500", "404", "truncated", "wrong_charset", "oversized", "redirect_loop", "moved", "offsite_redirect",
    "attachment_bomb", "captcha", "empty_list", "layout_changed",
)
# Where ``offsite_redirect`` sends requests: the same server under another host name, which a
# crawler whose domains are 127.0.0.1 must refuse to follow.
OFFSITE_HOST = "localhost"

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"


@dataclass(frozen=True)
class ServedRequest:
    """One request the server answered: for tests and the bench."""

    path: str
    status: int
    bytes_sent: int
    conditional: bool
    user_agent: str = ""


@dataclass
class _Injected:
    mode: str
    target: str
    doc_id: str | None


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/html"
    etag: str = ""
    modified: int = 0
    kind: str = "other"  # list, detail, attachment
    doc_id: str | None = None
    location: str = ""


class SimulatedSites:
    """The simulated portals on one loopback port; use as a context manager or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 2,
        slow_seconds: float = 3.0,
        oversized_bytes: int = 3 * 1024 * 1024,
        bomb_bytes: int = 100 * 1024 * 1024,
    ) -> None:
        self._host = host
        self._port = port
        self.page_size = page_size
        self.slow_seconds = slow_seconds
        self.oversized_bytes = oversized_bytes
        self.bomb_bytes = bomb_bytes  # what an ``attachment_bomb`` DOCX inflates to
        self._lock = threading.RLock()
        self._docs: dict[str, dict[str, SimDocument]] = {site: {} for site in SITES}
        self._site_modified: dict[str, int] = {}
        self._validators: dict[str, str] = {site: spec.validators for site, spec in SITES.items()}
        self._errors: dict[str, list[_Injected]] = {site: [] for site in SITES}
        self._log: list[ServedRequest] = []
        self._http = BackgroundHttpServer("simulated sites")
        self._clock = int(time.time()) - 86400
        for site_id, doc in seed_documents().items():
            doc.modified = self._tick()
            self._docs[site_id][doc.doc_id] = doc
            self._site_modified[site_id] = doc.modified

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SimulatedSites:
        handler = type("Handler", (_Handler,), {"sites": self})
        self._http.serve(self._host, self._port, handler)
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> SimulatedSites:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._http.base_url

    # --- mutations ------------------------------------------------------------------------------

    def _tick(self) -> int:
        """Strictly increasing whole seconds, so Last-Modified moves on every mutation."""
        with self._lock:
            self._clock = max(self._clock + 1, int(time.time()))
            return self._clock

    def _site(self, site_id: str) -> SiteSpec:
        if site_id not in SITES:
            raise KeyError(f"unknown simulated site {site_id!r}; known: {sorted(SITES)}")
        return SITES[site_id]

    def publish(
        self,
        site_id: str,
        doc_id: str,
        title: str,
        text: str,
        date: str,
        doc_number: str | None = None,
        issuer: str | None = None,
    ) -> str:
        """Publish a new document (or re-publish a removed one); returns its detail URL."""
        site = self._site(site_id)
        with self._lock:
            doc = SimDocument(doc_id, title, text, date, doc_number, issuer, index_no=f"SIM-{doc_id}")
            doc.attachments = default_attachments(site_id, doc)
            doc.modified = self._tick()
            self._docs[site_id][doc_id] = doc
            self._site_modified[site_id] = doc.modified
        return self.document_url(site.site_id, doc_id)

    def revise(self, site_id: str, doc_id: str, new_text: str) -> None:
        """Change a document's body in place (same URL), as a silent revision on a portal."""
        with self._lock:
            doc = self._document(site_id, doc_id)
            doc.text = new_text
            doc.modified = self._tick()
            self._site_modified[site_id] = doc.modified

    def take_down(self, site_id: str, doc_id: str) -> None:
        """Remove a document: gone from the list, and its detail URL answers 404."""
        with self._lock:
            doc = self._document(site_id, doc_id)
            doc.removed = True
            self._site_modified[site_id] = self._tick()

    def _document(self, site_id: str, doc_id: str) -> SimDocument:
        self._site(site_id)
        try:
            return self._docs[site_id][doc_id]
        except KeyError:
            raise KeyError(f"no document {doc_id!r} on site {site_id!r}") from None

    def list_documents(self, site_id: str) -> list[dict[str, str]]:
        """Published (not removed) documents of a site, newest first, with their URLs."""
        with self._lock:
            return [
                {
                    "doc_id": doc.doc_id,
                    "title": doc.title,
                    "date": doc.date,
                    "doc_number": doc.doc_number or "",
                    "issuer": doc.issuer or "",
                    "url": self.base_url + detail_path(site_id, doc),
                    "text": doc.text,
                }
                for doc in self._listed(site_id)
            ]

    def document_url(self, site_id: str, doc_id: str) -> str:
        with self._lock:
            return self.base_url + detail_path(site_id, self._document(site_id, doc_id))

    def list_url(self, site_id: str) -> str:
        self._site(site_id)
        if site_id == "liuzhou":
            return f"{self.base_url}/liuzhou/api/zcwj/list?page=1"
        return f"{self.base_url}{COLUMN[site_id]}index.html"

    def set_validators(self, site_id: str, kind: str) -> None:
        """Which validators the site sends: 'both', 'etag', 'last_modified' or 'none'."""
        if kind not in ("both", "etag", "last_modified", "none"):
            raise ValueError(f"unknown validator kind {kind!r}")
        self._site(site_id)
        self._validators[site_id] = kind

    # --- error modes ----------------------------------------------------------------------------

    def inject_error(self, site_id: str, mode: str, target: str = "all", doc_id: str | None = None) -> None:
        """Make the site misbehave for ``target`` pages (optionally one document) until cleared."""
        self._site(site_id)
        if mode not in ERROR_MODES:
            raise ValueError(f"unknown error mode {mode!r}; known: {ERROR_MODES}")
        if target not in ("list", "detail", "attachment", "all"):
            raise ValueError(f"unknown target {target!r}")
        with self._lock:
            self._errors[site_id].append(_Injected(mode, target, doc_id))

    def clear_errors(self, site_id: str | None = None) -> None:
        with self._lock:
            for site in [site_id] if site_id else list(self._errors):
                self._errors[site] = []

    def _error_for(self, site_id: str, reply: _Reply) -> str | None:
        with self._lock:
            for injected in self._errors[site_id]:
                if injected.target not in ("all", reply.kind):
                    continue
                if injected.doc_id is not None and injected.doc_id != reply.doc_id:
                    continue
                return injected.mode
        return None

    # --- request log ----------------------------------------------------------------------------

    def request_log(self) -> list[ServedRequest]:
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, entry: ServedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    # --- routing ---------------------------------------------------------------------------------

    def _listed(self, site_id: str) -> list[SimDocument]:
        docs = [doc for doc in self._docs[site_id].values() if not doc.removed]
        return sorted(docs, key=lambda d: (d.date, d.doc_id), reverse=True)

    def _pages(self, site_id: str) -> tuple[list[list[SimDocument]], int]:
        docs = self._listed(site_id)
        chunks = [docs[i : i + self.page_size] for i in range(0, len(docs), self.page_size)] or [[]]
        return chunks, self._site_modified[site_id]

    def route(self, path: str, query: str) -> _Reply:
        """The reply for a GET, before validators and error modes are applied."""
        if path == "/robots.txt":
            return _Reply(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        parts = path.split("/")
        site_id = parts[1] if len(parts) > 1 else ""
        if site_id not in SITES:
            return _Reply(404, b"<html><body>404 Not Found</body></html>")
        site = SITES[site_id]
        with self._lock:
            chunks, site_modified = self._pages(site_id)
            column = COLUMN[site_id]
            if site_id == "liuzhou" and path == "/liuzhou/api/zcwj/list":
                page = int((parse_qs(query).get("page") or ["1"])[0] or 1)
                if not 1 <= page <= len(chunks):
                    return _Reply(404, b'{"code":404,"msg":"no such page"}', "application/json", kind="list")
                body = render_json_list(
                    site_id, chunks[page - 1], page, len(chunks), len(self._listed(site_id))
                ).encode("utf-8")
                return _Reply(200, body, "application/json; charset=utf-8", modified=site_modified, kind="list")
            if path.startswith(column) and path[len(column) :].startswith("index"):
                name = path[len(column) :]
                if site_id == "liuzhou":
                    if name != "index.html":
                        return _Reply(404, b"<html><body>404</body></html>", kind="list")
                    return _Reply(200, self._encode(site, render_liuzhou_column(site)), modified=site_modified, kind="list")
                mode = self._error_for(site_id, _Reply(200, kind="list"))
                if mode == "empty_list":  # the column suddenly shows nothing (its documents are still up)
                    chunks = [[]]
                for index, chunk in enumerate(chunks):
                    if name == list_page_name(index):
                        if mode == "layout_changed":
                            text = render_redesigned_list(site, chunk)
                        else:
                            text = render_list(site, chunk, index, len(chunks))
                        return _Reply(200, self._encode(site, text), modified=site_modified, kind="list")
                return _Reply(404, b"<html><body>404 Not Found</body></html>", kind="list")
            for doc in self._docs[site_id].values():
                for attachment in doc.attachments:
                    if path == attachment_path(site_id, doc, attachment):
                        if doc.removed:
                            return _Reply(404, b"", kind="attachment", doc_id=doc.doc_id)
                        return _attachment_reply(attachment, doc)
                if path == detail_path(site_id, doc):
                    if doc.removed:
                        return _Reply(404, b"<html><body>404 Not Found</body></html>", kind="detail", doc_id=doc.doc_id)
                    return _Reply(
                        200, self._encode(site, render_detail(site, doc)), modified=doc.modified,
                        kind="detail", doc_id=doc.doc_id,
                    )
        return _Reply(404, b"<html><body>404 Not Found</body></html>")

    @staticmethod
    def _encode(site: SiteSpec, text: str) -> bytes:
        if site.encoding == "gbk":
            return text.encode("gbk", errors="xmlcharrefreplace")
        return text.encode("utf-8")

    def content_type(self, site_id: str, reply: _Reply, wrong_charset: bool) -> str:
        if not reply.content_type.startswith("text/html"):
            return reply.content_type
        gbk = SITES[site_id].encoding == "gbk"
        if wrong_charset:
            return "text/html; charset=gbk" if not gbk else "text/html; charset=utf-8"
        # The GBK site declares its charset only in <meta>, as many old portals do.
        return "text/html" if gbk else "text/html; charset=utf-8"

    def validators_of(self, site_id: str) -> str:
        return self._validators.get(site_id, "none")


def _attachment_reply(attachment: SimAttachment, doc: SimDocument) -> _Reply:
    return _Reply(
        200, attachment.data, attachment.content_type, modified=doc.modified, kind="attachment", doc_id=doc.doc_id
    )


class _Handler(BaseHTTPRequestHandler):
    sites: SimulatedSites
    protocol_version = "HTTP/1.1"
    server_version = "SimGov/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Silence per-request stderr lines; the request log keeps what tests need."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        reply = self.sites.route(parts.path, parts.query)
        site_id = parts.path.split("/")[1] if parts.path.count("/") >= 1 else ""
        mode = self.sites._error_for(site_id, reply) if site_id in SITES else None
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        if mode == "slow":
            time.sleep(self.sites.slow_seconds)
        elif mode in ("500", "404"):
            reply = _Reply(int(mode), f"<html><body>{mode} error</body></html>".encode(), kind=reply.kind)
        elif mode == "moved" and "moved=1" not in parts.query:
            # A permanent move that ends: 301 to the same page with ?moved=1, served normally.
            self._send(parts.path, 301, b"", "text/html", {"Location": parts.path + "?moved=1"}, conditional)
            return
        elif mode == "offsite_redirect":
            port = self.server.server_address[1]
            target = f"http://{OFFSITE_HOST}:{port}{parts.path}?moved=1"
            self._send(parts.path, 302, b"", "text/html", {"Location": target}, conditional)
            return
        elif mode == "redirect_loop":
            target = parts.path + ("" if "loop=1" in parts.query else "?loop=1")
            self._send(parts.path, 302, b"", "text/html", {"Location": target}, conditional)
            return
        elif mode == "attachment_bomb" and reply.kind == "attachment":
            pdf = parts.path.lower().endswith(".pdf")
            bomb = make_pdf_bomb(self.sites.bomb_bytes) if pdf else make_docx_bomb(self.sites.bomb_bytes)
            kind = "application/pdf" if pdf else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            reply = _Reply(200, bomb, kind, modified=reply.modified, kind="attachment", doc_id=reply.doc_id)
        elif mode == "captcha":
            reply = _Reply(200, CAPTCHA_PAGE.encode("utf-8"), "text/html; charset=utf-8", kind=reply.kind)
        elif mode == "oversized":
            filler = b"<p>" + b"x" * 1000 + b"</p>\n"
            body = b"<html><body>" + filler * (self.sites.oversized_bytes // len(filler) + 1) + b"</body></html>"
            reply = _Reply(200, body, kind=reply.kind, doc_id=reply.doc_id)
        headers: dict[str, str] = {}
        if reply.status == 200 and mode != "oversized":
            validators = self.sites.validators_of(site_id) if site_id in SITES else "none"
            etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
            if validators in ("both", "etag"):
                headers["ETag"] = etag
                if self.headers.get("If-None-Match") == etag:
                    self._send(parts.path, 304, b"", "", headers, conditional)
                    return
            if validators in ("both", "last_modified") and reply.modified:
                headers["Last-Modified"] = formatdate(reply.modified, usegmt=True)
                since = self.headers.get("If-Modified-Since")
                if since and "ETag" not in headers and _not_modified(since, reply.modified):
                    self._send(parts.path, 304, b"", "", headers, conditional)
                    return
        content_type = self.sites.content_type(site_id, reply, mode == "wrong_charset") if site_id in SITES else reply.content_type
        if mode == "truncated":
            self._send_truncated(parts.path, reply, content_type, conditional)
            return
        self._send(parts.path, reply.status, reply.body, content_type, headers, conditional)

    def _send(
        self, path: str, status: int, body: bytes, content_type: str, headers: dict[str, str], conditional: bool
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.sites._record(ServedRequest(path, status, len(body), conditional, self.headers.get("User-Agent", "")))

    def _send_truncated(self, path: str, reply: _Reply, content_type: str, conditional: bool) -> None:
        """Promise the whole body, send half, close: a dropped connection mid-download."""
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        half = reply.body[: len(reply.body) // 2]
        self.wfile.write(half)
        self.wfile.flush()
        self.close_connection = True
        self.sites._record(ServedRequest(path, reply.status, len(half), conditional, self.headers.get("User-Agent", "")))


def _not_modified(since: str, modified: int) -> bool:
    try:
        return parsedate_to_datetime(since).timestamp() >= modified
    except (TypeError, ValueError):
        return False

