"""Many generated government sites on one loopback server, for scale-out tests and benchmarks.

``GeneratedSites(count, docs_per_site, seeds_dir, labeled_dir)`` builds ``count`` portals in the plain
layout (a "下一页" column list, 20 entries a page, and detail pages), each with ``docs_per_site``
documents. Every document is written from the shared material with mutations, so no two have one
content hash and lineage still finds what they share: a labeled text (title and notice of a real plan)
followed by a window of a seed plan, with the site's city put in, the figures changed, a paragraph
dropped and a line naming the document added. ``write_sources(folder)`` writes one source definition
per site (``{simulator}`` placeholders, so the crawler treats them as simulated). Deterministic: the
same arguments give the same sites, byte for byte.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawlers.simulator.http_server import BackgroundHttpServer

PAGE_SIZE = 20
CITIES = (
    "杭州市", "成都市", "武汉市", "西安市", "南京市", "长沙市", "郑州市", "济南市", "合肥市", "福州市",
    "昆明市", "南昌市", "贵阳市", "太原市", "石家庄市", "哈尔滨市", "长春市", "兰州市", "南宁市", "海口市",
)
GENRES = ("人工智能产业发展行动计划", "促进人工智能创新发展若干措施", "新一代人工智能发展规划", "人工智能赋能实施意见")
_E = html.escape


@dataclass(frozen=True)
class GeneratedDocument:
    site_id: str
    number: int
    title: str
    date: str
    issuer: str
    text: str

    @property
    def path(self) -> str:
        return f"/{self.site_id}/gkmlpt/content/post_{self.number}.html"


def _mutate(text: str, rng: random.Random) -> str:
    """Figures changed, one paragraph of several dropped: a text of its own, still like its source."""
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)) if len(m.group()) < 6 else m.group(), text)
    paragraphs = [p for p in text.splitlines() if p.strip()]
    if len(paragraphs) > 4:
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    return "\n".join(paragraphs)


def _material(seeds_dir: Path, labeled_dir: Path) -> tuple[list[str], list[str]]:
    seeds = [path.read_text("utf-8") for path in sorted(seeds_dir.glob("*.txt"))]
    labeled = [json.loads(path.read_text("utf-8"))["text"] for path in sorted(labeled_dir.glob("*.json"))]
    if not seeds or not labeled:
        raise FileNotFoundError(f"no seeds in {seeds_dir} or no labeled texts in {labeled_dir}")
    return seeds, labeled


class GeneratedSites:
    """The generated portals on one loopback port; use as a context manager or start()/stop()."""

    def __init__(self, count: int, docs_per_site: int, seeds_dir: Path, labeled_dir: Path,
                 host: str = "127.0.0.1", seed: int = 12) -> None:
        self.count, self.docs_per_site, self._host = count, docs_per_site, host
        self._http = BackgroundHttpServer("generated sites")
        seeds, labeled = _material(seeds_dir, labeled_dir)
        rng = random.Random(seed)
        self.documents: dict[str, list[GeneratedDocument]] = {}
        for index in range(count):
            site_id = f"gen{index:04d}"
            city = CITIES[index % len(CITIES)]
            docs = []
            for number in range(1, docs_per_site + 1):
                genre = GENRES[(index + number) % len(GENRES)]
                title = f"{city}人民政府办公厅关于印发{city}{genre}（第{number}号文件）的通知"
                seed_text = seeds[rng.randrange(len(seeds))]
                start = rng.randrange(max(1, len(seed_text) - 1500))
                body = "\n".join((
                    title,
                    _mutate(labeled[rng.randrange(len(labeled))], rng),
                    _mutate(seed_text[start : start + 1500], rng).replace("深圳", city[:-1]),
                    f"本文件由{city}人民政府办公厅负责解释（编号 {site_id}-{number}）。",
                ))
                date = f"20{18 + number % 8:02d}-{1 + number % 12:02d}-{1 + index % 28:02d}"
                docs.append(GeneratedDocument(site_id, 1000 + number, title, date, f"{city}人民政府办公厅", body))
            self.documents[site_id] = sorted(docs, key=lambda d: (d.date, d.number), reverse=True)
        self._pages = self._render()
        self.requests = 0

    @property
    def total_documents(self) -> int:
        return sum(len(docs) for docs in self.documents.values())

    # --- rendering ----------------------------------------------------------------------------
    def _render(self) -> dict[str, bytes]:
        pages: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"}
        for site_id, docs in self.documents.items():
            chunks = [docs[i : i + PAGE_SIZE] for i in range(0, len(docs), PAGE_SIZE)] or [[]]
            for index, chunk in enumerate(chunks):
                items = "".join(
                    f'<li><a href="{d.path}">{_E(d.title)}</a><span>{d.date}</span></li>' for d in chunk
                )
                nav = f'<div class="pager"><a class="next" href="index_{index + 1}.html">下一页</a></div>' \
                    if index + 1 < len(chunks) else ""
                name = "index.html" if index == 0 else f"index_{index}.html"
                pages[f"/{site_id}/gkmlpt/zcwj/{name}"] = _page(
                    f"政策文件 {site_id}", f'<div class="zx_ml_list"><ul>{items}</ul></div>{nav}'
                )
            for d in docs:
                body = "\n".join(f"<p>{_E(line)}</p>" for line in d.text.splitlines())
                pages[d.path] = _page(d.title, (
                    f'<div class="tit"><h1>{_E(d.title)}</h1></div>'
                    f'<div class="info">{d.date} {_E(d.issuer)}</div><div class="news_cont_d_wrap">{body}</div>'
                ))
        return pages

    def write_sources(self, folder: Path) -> list[str]:
        """One source definition file per site in ``folder``; returns the source ids."""
        folder.mkdir(parents=True, exist_ok=True)
        ids = []
        for index, site_id in enumerate(self.documents):
            source_id = f"sim-{site_id}"
            city = CITIES[index % len(CITIES)]
            (folder / f"{site_id}.toml").write_text(SOURCE_TEMPLATE.format(
                id=source_id, site=site_id, city=city,
            ), encoding="utf-8")
            ids.append(source_id)
        return ids

    # --- serving ------------------------------------------------------------------------------
    def start(self) -> GeneratedSites:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                sites.requests += 1
                body = sites._pages.get(self.path.split("?", 1)[0])
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                kind = "text/plain" if self.path == "/robots.txt" else "text/html"
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._http.serve(self._host, 0, Handler)
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> GeneratedSites:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._http.base_url


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{_E(title)}</title></head><body>{body}"
        '<div class="footer">模拟站点 (generated simulated site)</div></body></html>'
    ).encode()


SOURCE_TEMPLATE = '''# Generated simulated portal {site} (crawlers.simulator.generated).
id = "{id}"
name = "{city}人民政府 · 政策文件 (模拟 {site})"
region = "{city}"
layout = "static"
list_urls = ["{{simulator}}/{site}/gkmlpt/zcwj/index.html"]

[links]
item = "div.zx_ml_list li"
link = "a::attr(href)"
title = ""
title_fallback = "a::text"
date = "span::text"

[pagination]
kind = "next_link"
next_css = "a.next::attr(href)"

[detail]
title = "div.tit h1"
body = "div.news_cont_d_wrap"

[schedule]
interval_minutes = 600

[verification]
status = "simulated"
method = "Generated by crawlers.simulator.generated for scale-out tests."
'''
