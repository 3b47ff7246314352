"""Human-readable report of an analysis (Chinese labels, English glosses), for ``policywatch analyze``."""

from __future__ import annotations

import unicodedata
from typing import Any

_LABEL_WIDTH = 30


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(label: str, value: object) -> str:
    """One aligned 'label value' row; Chinese characters take two columns in a terminal."""
    pad = " " * max(1, _LABEL_WIDTH - _width(label))
    return f"{label}{pad}{value if value not in (None, '', []) else '—'}"


def render_text(analysis: Any) -> str:
    """Multi-line report: metadata, region, AI relevance, outline (top two levels), targets, duties, citations."""
    data = analysis.to_dict()
    region = data["region"]
    place = " / ".join(p for p in (region["province"], region["city"], region["district"]) if p)
    period = data["period"]
    lines = [
        _line("标题 title", data["title"]),
        _line("通知标题 notice title", data["notice_title"]),
        _line("文号 doc number", data["doc_number"]),
        _line("发文机关 issuers", "、".join(data["issuers"])),
        _line("成文日期 issued", data["issue_date"]),
        _line("发布日期 published", data["publish_date"]),
        _line("施行日期 effective", data["effective_date"]),
        _line("有效期至 expires", data["expiry_date"]),
        _line("地区 region", f"{place} ({region['code']})" if place else None),
        _line("层级 admin level", data["admin_level"]),
        _line("规划期 period", f"{period['start']}–{period['end']}" if period else None),
        _line("文种 doc type", data["doc_type"]),
        _line("人工智能 AI relevance", f"{data['ai']['label']} (score {data['ai']['score']})"),
        _line("主题 topics", "、".join(data["ai"]["topics"])),
    ]
    evidence = data["ai"]["evidence"][:5]
    if evidence:
        lines.append("  evidence: " + "; ".join(f"{e['term']}×{e['count']} ({e['where']})" for e in evidence))
    if data["outline"]:
        lines.append("结构 outline:")
        for clause in data["outline"]:
            lines.append(f"  [{clause['id']}] {clause['label']}{clause['heading']}")
            for child in clause["children"]:
                lines.append(f"    [{child['id']}] {child['label']}{child['heading']}")
    attachments = getattr(analysis, "attachments", [])
    if attachments:
        lines.append("附件 attachments:")
        lines.extend(f"  - {a['name']}{'  ' + a['url'] if a.get('url') else ''}" for a in attachments)
    if data["targets"]:
        lines.append("目标 targets:")
        for t in data["targets"]:
            lines.append(f"  {t['year'] or '?'}: {t['metric']} {t['comparator']} {t['value']} {t['unit']}   «{t['text']}»")
    if data["responsibilities"]:
        lines.append(f"责任分工 responsibilities: {len(data['responsibilities'])} clause(s)")
        for r in data["responsibilities"][:10]:
            roles = "; ".join(f"{k}: {'、'.join(v)}" for k in ("lead", "support", "responsible") if (v := r[k]))
            lines.append(f"  [{r['clause_id']}] {roles}")
    if data["citations"]:
        lines.append("引用 citations:")
        for c in data["citations"]:
            title = f"《{c['title']}》" if c["title"] else ""
            lines.append(f"  - {title}{' ' + c['doc_number'] if c['doc_number'] else ''}")
    return "\n".join(lines)
