"""Source definitions as data: one TOML file per source, validated into ``SourceDefinition``.

A definition says where a source's column lists are, which list layout they use, how to find
document links (with their list title and date), how to paginate, and hints for detail pages.
Files under ``sources/real/`` describe live portals; files under ``sources/simulated/`` use a
``{simulator}`` placeholder that is replaced by ``settings.crawl.simulator_url`` (such a source is
skipped when that URL is empty). Errors name the file and the key that is wrong.
"""

from __future__ import annotations

import codecs
import re
import string
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import SourceError

SIMULATOR_PLACEHOLDER = "{simulator}"
PACKAGE_SOURCES_DIR = Path(__file__).resolve().parent / "sources"

Layout = Literal["static", "json_api", "inline_json", "hanweb_jpage", "auto"]
TEMPLATE_FIELDS = ("n", "page", "start", "end")




class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinkRules(_Strict):
    """How to find document links on an HTML list page (parsel CSS, ``::attr()``/``::text`` allowed).

    For ``static`` and ``hanweb_jpage`` lists: ``item`` selects one entry; ``link``, ``title`` and
    ``date`` are evaluated inside it. ``title_fallback`` is used when ``title`` finds nothing
    (e.g. links whose ``title`` attribute is missing but whose text is complete).
    """

    item: str = "li"
    link: str = "a::attr(href)"
    title: str = "a::attr(title)"
    title_fallback: str = "a::text"
    date: str = ""
    url_regex: str = Field("", description="Keep only links whose absolute URL matches this regex.")

    @field_validator("url_regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value


class JsonRules(_Strict):
    """How to read entries from JSON (``json_api`` response bodies or ``inline_json`` scripts).

    ``items_path`` is a dotted path to the entry array. ``url_key`` names the key inside the URL
    field when that field is itself a JSON object or a JSON string (Jiangxi's ``urls`` = '{"pc": …}').
    ``script_marker`` (inline_json only) is the text right before the array in the page's script.
    """

    items_path: str = ""
    url_field: str = "url"
    url_key: str = ""
    title_field: str = "title"
    date_field: str = "date"
    script_marker: str = ""
    attachments_field: str = ""
    attachment_name_field: str = "fileName"
    attachment_url_field: str = "filePath"


class Pagination(_Strict):
    """How further list pages are found; every kind is bounded by ``settings.crawl.page_cap``.

    - ``none``: only the list URLs.
    - ``next_link``: follow ``next_css`` (a link on each list page).
    - ``template``: URLs from ``template`` relative to the first list URL, with ``{n}`` the page
      index counted from ``first_index`` (TRS: index_1.html …) or ``{page}`` from 2, or ``{start}``/
      ``{end}`` record windows of ``per_page`` (Hanweb jpage). The total comes from ``total_regex``
      (HTML/XML) or ``total_path`` (JSON); ``total_is`` says whether it counts pages or records.
      Without either, pages are read one after another until a page brings no new link or
      answers 404 (sites whose page count is not on the page).
    """

    kind: Literal["none", "next_link", "template"] = "none"
    next_css: str = ""
    template: str = ""
    first_index: int = 1
    per_page: int = Field(20, ge=1)
    total_regex: str = ""
    total_path: str = ""
    total_is: Literal["pages", "records"] = "pages"
    max_pages: int = Field(
        0, ge=0, description="Read at most this many list pages (0: up to the page cap); set complete = false."
    )
    complete: bool = Field(
        True,
        description="False when the pages read show only the newest documents (older pages are not "
        "followed): the crawl then never claims a complete inventory, so nothing is counted missing.",
    )

    @field_validator("template")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        """Checked here so that a typo fails at load time naming the key, not mid-crawl."""
        if not value:
            return value
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        except ValueError as exc:
            raise ValueError(f"{exc} (write a literal brace as {{{{ or }}}})") from exc
        unknown = sorted({name for name in fields if name not in TEMPLATE_FIELDS})
        if unknown:
            shown = ", ".join("{" + name + "}" for name in unknown)
            raise ValueError(
                f"unknown placeholder {shown}: only {{n}}, {{page}}, {{start}} and {{end}} "
                "(write a literal brace as {{ or }})"
            )
        if not {"n", "page", "start"} & set(fields):
            raise ValueError("template needs {n}, {page} or {start}")
        try:
            value.format(n=1, page=2, start=21, end=40)
        except (ValueError, IndexError, KeyError) as exc:
            raise ValueError(f"cannot be filled in: {exc}") from exc
        return value

    @field_validator("total_regex")
    @classmethod
    def _one_group(cls, value: str) -> str:
        if not value:
            return value
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if compiled.groups != 1:
            raise ValueError(
                f"needs exactly one capture group (the total), has {compiled.groups}; use (?:...) for other groups"
            )
        return value


class DetailHints(_Strict):
    """CSS hints for detail pages, carried to the analysis stage in ``PageFetched.detail_hints``."""

    title: str = ""
    body: str = ""
    meta_table: str = ""
    attachments: str = (
        "a[href$='.pdf'], a[href$='.PDF'], a[href$='.docx'], a[href$='.doc'], a[href$='.wps'], "
        "a[href$='.ofd'], a[href$='.xlsx'], a[href$='.xls']"
    )


class EncodingHints(_Strict):
    """What the site is known to serve; ``zhtext.decoding`` still checks the bytes against it."""

    declared: str = Field(
        "",
        description="A charset the site is known to serve: tried before the page's own meta and header",
    )
    fallback: str = Field(
        "gb18030", description="The decoder's last resort, for bytes nothing else explains"
    )

    @field_validator("declared", "fallback")
    @classmethod
    def _known_codec(cls, value: str) -> str:
        if value:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown charset {value!r}") from None
        return value


class Schedule(_Strict):
    interval_minutes: float | None = Field(
        None,
        gt=0,
        description="Minutes between scheduled crawls of this source; unset: the setting crawl.interval_minutes",
    )


class Verification(_Strict):
    """How the definition was established: an operator reads this before trusting a source."""

    status: Literal["simulated", "offline-realpages", "offline-cms-pattern", "live-checked", "unverified"]
    method: str
    checked_on: str = ""


class _SourceFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    region: str
    layout: Layout
    list_urls: list[str] = Field(min_length=1)
    links: LinkRules = Field(default_factory=LinkRules)
    json_rules: JsonRules = Field(default_factory=JsonRules, alias="json")
    pagination: Pagination = Field(default_factory=Pagination)
    detail: DetailHints = Field(default_factory=DetailHints)
    encoding: EncodingHints = Field(default_factory=EncodingHints)
    schedule: Schedule = Field(default_factory=Schedule)
    verification: Verification
    allowed_domains: list[str] = Field(default_factory=list)
    spider: str = Field(
        "",
        pattern=r"^$|^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="'module:Class' of a GenericSpider subclass, only for a site that truly needs code.",
    )
    notes: str = ""


@dataclass(frozen=True)
class SourceDefinition:
    """One source, ready for the spider: URLs resolved, domains derived."""

    id: str
    name: str
    region: str
    layout: Layout
    list_urls: tuple[str, ...]
    links: LinkRules
    json: JsonRules
    pagination: Pagination
    detail: DetailHints
    encoding: EncodingHints
    interval_minutes: float | None  # None: the daemon uses settings.crawl.interval_minutes
    verification: Verification
    allowed_domains: tuple[str, ...]
    simulated: bool
    path: Path
    spider: str = ""
    notes: str = ""

    def detail_hints(self) -> dict[str, str]:
        """The hints published with every page (only the non-empty ones)."""
        hints = {
            "title_css": self.detail.title,
            "body_css": self.detail.body,
            "meta_table_css": self.detail.meta_table,
            "layout": self.layout,
        }
        return {key: value for key, value in hints.items() if value}


def _error_from_validation(path: Path, exc: ValidationError) -> SourceError:
    problems = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(file)"
        problems.append(f"{key}: {err['msg']}")
    return SourceError(f"{path}: " + "; ".join(problems))


def parse_source_file(path: Path, simulator_url: str = "") -> SourceDefinition | None:
    """Read one definition; ``None`` for a simulated source while no simulator URL is set."""
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from exc
    try:
        data = _SourceFile.model_validate(raw)
    except ValidationError as exc:
        raise _error_from_validation(path, exc) from exc
    simulated = any(SIMULATOR_PLACEHOLDER in url for url in data.list_urls)
    if simulated and not simulator_url:
        return None
    base = simulator_url.rstrip("/")
    urls = tuple(url.replace(SIMULATOR_PLACEHOLDER, base) for url in data.list_urls)
    for index, url in enumerate(urls):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(f"{path}: list_urls.{index}: {url!r} is not an http(s) URL")
    domains = tuple(data.allowed_domains) or tuple(
        sorted({urlsplit(url).hostname or "" for url in urls})
    )
    if data.layout in ("json_api", "inline_json") and not data.json_rules.items_path and not data.json_rules.script_marker:
        raise SourceError(f"{path}: json: layout {data.layout} needs json.items_path or json.script_marker")
    if data.pagination.kind == "next_link" and not data.pagination.next_css:
        raise SourceError(f"{path}: pagination.next_css: required when pagination.kind = 'next_link'")
    if data.pagination.max_pages and data.pagination.complete:
        raise SourceError(f"{path}: pagination.complete: must be false when pagination.max_pages is set")
    if data.pagination.kind == "template" and not data.pagination.template:
        raise SourceError(f"{path}: pagination.template: required when pagination.kind = 'template'")
    return SourceDefinition(
        id=data.id,
        name=data.name,
        region=data.region,
        layout=data.layout,
        list_urls=urls,
        links=data.links,
        json=data.json_rules,
        pagination=data.pagination,
        detail=data.detail,
        encoding=data.encoding,
        interval_minutes=data.schedule.interval_minutes,
        verification=data.verification,
        allowed_domains=domains,
        simulated=simulated,
        path=path,
        spider=data.spider,
        notes=data.notes,
    )


def load_sources(dirs: Iterable[Path | str], simulator_url: str = "") -> list[SourceDefinition]:
    """Every definition under ``dirs`` (recursively, ``*.toml``), sorted by id.

    Raises SourceError for a bad file, a missing folder, or two files with the same id.
    """
    sources, errors = collect_sources(dirs, simulator_url)
    if errors:
        raise errors[0]
    return sources


def collect_sources(
    dirs: Iterable[Path | str], simulator_url: str = ""
) -> tuple[list[SourceDefinition], list[SourceError]]:
    """Every definition that loads, sorted by id, and an error for each file that does not (a bad file,
    a missing folder, a duplicate id): ``policywatch config check`` reports them all at once."""
    found: dict[str, SourceDefinition] = {}
    errors: list[SourceError] = []
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            errors.append(SourceError(f"{folder}: sources folder does not exist"))
            continue
        for path in sorted(folder.rglob("*.toml")):
            try:
                source = parse_source_file(path, simulator_url)
            except SourceError as exc:
                errors.append(exc)
                continue
            if source is None:
                continue
            if source.id in found:
                errors.append(
                    SourceError(f"{path}: id: {source.id!r} is already defined in {found[source.id].path}")
                )
                continue
            found[source.id] = source
    return [found[key] for key in sorted(found)], errors


def find_source(sources: Sequence[SourceDefinition], source_id: str) -> SourceDefinition:
    for source in sources:
        if source.id == source_id:
            return source
    known = ", ".join(s.id for s in sources) or "(none)"
    raise SourceError(f"unknown source {source_id!r}; known: {known}")
