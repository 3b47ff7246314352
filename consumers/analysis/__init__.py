"""Document understanding for Chinese policy texts: metadata, region, AI relevance, outline, targets,
responsibilities and citations — pure functions, no I/O except ``analyze_path`` reading its file.

Public API::

    analyze(text=None, *, html=None, url="", hints=None) -> Analysis
    analyze_path(path) -> Analysis
    render_text(analysis) -> str

Regions are ``zhtext.regions`` (lookup by name or code, containment), shared with search and alerts.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from zhtext.decoding import decode_bytes
from zhtext.normalize import matching_form, squash
from zhtext.region_names import disambiguate_at_start, find_in_text, region_at_start
from zhtext.regions import RegionRef, lookup

from .citations import Citation, extract_citations
from .fields import parse_fields
from .metadata import Metadata, body_start, extract_metadata
from .outline import Clause, attachments, parse_outline
from .page import DOC_EXT, extract_page, looks_like_html
from .recipients import recipients, sender_level, sender_region
from .relevance import Relevance, classify
from .render import render_text
from .responsibilities import Responsibility, extract_responsibilities
from .targets import Target, extract_targets
from .text import Doc

__all__ = ["Analysis", "RegionRef", "analyze", "analyze_path", "render_text"]


@dataclass
class Analysis(Metadata):
    """Everything extracted from one document: the metadata plus region, relevance and structure.

    ``to_dict`` gives the JSON of ``policywatch analyze --json``.
    """

    text: str = ""
    region: RegionRef | None = None
    admin_level: str | None = None
    ai: Relevance = field(default_factory=lambda: Relevance(label="no", score=0.0))
    outline: list[Clause] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    page_fields: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        region = self.region
        return {
            "title": self.title,
            "notice_title": self.notice_title,
            "doc_number": self.doc_number,
            "issuers": list(self.issuers),
            "issue_date": self.issue_date,
            "publish_date": self.publish_date,
            "effective_date": self.effective_date,
            "expiry_date": self.expiry_date,
            "region": region.to_dict() if region else {"province": None, "city": None, "district": None,
                                                       "code": None},
            "admin_level": self.admin_level,
            "period": dict(self.period) if self.period else None,
            "doc_type": self.doc_type,
            "ai": self.ai.to_dict(),
            "outline": [c.to_dict() for c in self.outline],
            "targets": [t.to_dict() for t in self.targets],
            "responsibilities": [r.to_dict() for r in self.responsibilities],
            "citations": [c.to_dict() for c in self.citations],
            "text": self.text,
        }


# 《X》政策解读 / 关于《X》的解读: a page about one document, placed by that document's own title
_LEADING_CITE = re.compile(r"^(?:关于)?[《“\"]")


def _infer_region(meta: Metadata, fields: dict[str, str], doc: Doc, limit: int,
                  hint: str | None = None) -> tuple[RegionRef | None, str | None]:
    """Region from the issuers first (the issuing government decides), then title, notice, the recipients
    with the 文号 prefix, the source's region hint (a site's own region, from its source definition) and
    finally the header text."""
    if meta.is_national:
        return None, "national"
    candidates = [*meta.issuers, meta.title, meta.notice_title, fields.get("issuer"), fields.get("publisher")]
    for cand in candidates:
        if not cand:
            continue
        found = region_at_start(_LEADING_CITE.sub("", matching_form(cand).replace(" ", "")))
        if found:
            return found[0], found[0].level
    for cand in [*meta.issuers[:1], meta.title or ""]:  # a district name several cities share (南山区)
        chosen = disambiguate_at_start(_LEADING_CITE.sub("", matching_form(cand).replace(" ", "")), doc.m)
        if chosen is not None:
            return chosen, chosen.level
    # a re-post without title or signature: the recipients give the sender's level, the 文号 prefix its place
    line = recipients(doc, limit)
    level = sender_level(line)
    placed = sender_region(line, level, matching_form(meta.doc_number or ""))
    if placed is not None:
        return placed, placed.level
    if level == "national" and not meta.issuers:
        return None, "national"
    hinted = lookup(hint) if hint else None
    if hinted is not None:
        return hinted, hinted.level
    if meta.issuers:  # a local issuer printed without its place name (市人民政府办公室): look in the header
        ref = find_in_text(doc.m[:limit])
        if ref is not None:
            return ref, ref.level
    return None, None


def analyze(text: str | None = None, *, html: str | None = None, url: str = "",
            hints: dict[str, str] | None = None) -> Analysis:
    """Analyse a document given as text, or as an HTML page (extracted first; ``text`` then overrides the body).

    ``hints`` (all optional): ``body_css`` / ``title_css`` selectors from a source definition,
    ``list_title`` / ``list_date`` from the list page, ``region`` (name or code of the site's region, used
    only when the document itself names no place).
    """
    hints = dict(hints or {})
    page_fields: dict[str, str] = {}
    page_attachments: list[dict[str, str]] = []
    if html is not None:
        page = extract_page(html, url=url, hints=hints)
        page_fields = {k: matching_form(v) for k, v in page.fields.items()}
        page_attachments = page.attachments
        body = text if text is not None else page.text
        if page.title and matching_form(page.title).replace(" ", "") not in matching_form(body[:400]).replace("\n", "").replace(" ", ""):
            body = f"{page.title}\n{body}"
        if page.title and "title" not in page_fields:
            page_fields["title"] = matching_form(page.title)
        text = body
    doc = Doc.from_text(text or "")
    fields = {**parse_fields(doc.m), **page_fields}
    meta = extract_metadata(doc, fields, hints)
    limit = body_start(doc)
    region, level = _infer_region(meta, fields, doc, limit, hints.get("region"))
    outline = parse_outline(doc.text, doc.m)
    title_m = matching_form(meta.title) if meta.title else None
    notice_m = matching_form(meta.notice_title) if meta.notice_title else None
    relevance = classify(title_m, notice_m, doc.m)
    targets = extract_targets(doc.m, subject="人工智能" if relevance.label == "yes" else None)
    for target in targets:  # report the original script, found at the same offsets
        if doc.aligned:
            target.text = doc.text[target.start:target.start + len(target.text)]
    responsibilities = extract_responsibilities(doc.m, outline)
    citations = extract_citations(doc.m, meta.doc_number, (title_m, notice_m))
    listed = [{"name": name, "url": ""} for name in attachments(doc.text)]
    # a 相关附件 link (清单.pdf) repeating an item of the printed 附件 list is that item, named as printed
    printed = {squash(a["name"]) for a in listed}
    page_attachments = [a for a in page_attachments
                        if not (DOC_EXT.search(a["name"]) and squash(DOC_EXT.sub("", a["name"])) in printed)]
    known = {squash(a["name"]) for a in page_attachments}
    return Analysis(
        **{f.name: getattr(meta, f.name) for f in dataclasses.fields(Metadata)},
        text=doc.text, region=region, admin_level=level, ai=relevance, outline=outline, targets=targets,
        responsibilities=responsibilities, citations=citations,
        attachments=page_attachments + [a for a in listed if squash(a["name"]) not in known], page_fields=fields,
    )


def analyze_path(path: Path) -> Analysis:
    """Analyse a text file or a saved HTML page (detected by content; UTF-8/UTF-16 with BOM, GBK/GB18030).

    A JSON record is read by its fields: ``text`` (the labeled-set format) or ``body_html``/``html`` (a
    crawler record, with its ``url`` and ``title`` as hints).
    """
    raw = Path(path).read_bytes()
    content = decode_bytes(raw)
    record = _json_record(content)
    if record is not None:
        if isinstance(record.get("text"), str):
            return analyze(record["text"])
        html = record.get("body_html") or record.get("html")
        hints = {"list_title": record["title"]} if isinstance(record.get("title"), str) else {}
        return analyze(html=str(html), url=str(record.get("url") or ""), hints=hints)
    if looks_like_html(content):
        return analyze(html=content)
    return analyze(content)


def _json_record(content: str) -> dict[str, object] | None:
    """A JSON object carrying a document (``text``, ``body_html`` or ``html``), else None."""
    stripped = content.lstrip()
    if not stripped.startswith("{"):
        return None
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(data, dict) and any(isinstance(data.get(k), str) for k in ("text", "body_html", "html")):
        return data
    return None
