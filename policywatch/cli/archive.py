"""Commands for the archive: analyse a file, search, list versions, export, replay a capture."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from policywatch.cli.context import Context


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def analyze(path: Path, as_json: bool) -> None:
    """Analyse a policy text file or a saved HTML page."""
    from consumers.analysis import analyze_path, render_text

    analysis = analyze_path(path)
    if as_json:
        data = analysis.to_dict()
        data.pop("text", None)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(analysis))


@click.command()
@click.argument("version_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the body as served to this file (default: headers and body to stdout).")
@click.pass_obj
def replay(obj: Context, version_id: int, output: Path | None) -> None:
    """Show exactly what the site served for a stored document version (from the WARC archive, local or
    in object storage: any node with the same settings can replay any capture)."""
    from core.captures import CaptureConfig
    from crawlers.warc_reader import read_captured
    from storage.db import make_engine, session_factory
    from storage.models import DocumentVersion

    settings = obj.settings()
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        version = session.get(DocumentVersion, version_id)
        reference = version.warc_record if version is not None else ""
    engine.dispose()
    if version is None:
        raise click.ClickException(f"no document version {version_id}")
    if not reference:
        raise click.ClickException(f"version {version_id} was stored without a WARC capture")
    try:
        captured = read_captured(CaptureConfig.from_settings(settings), reference)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    if output is not None:
        output.write_bytes(captured.body)
        click.echo(f"{captured.url}: {len(captured.body)} bytes written to {output}")
        return
    click.echo(f"{captured.url}\n{captured.status_line}")
    for name, value in captured.headers:
        click.echo(f"{name}: {value}")
    click.echo("")
    sys.stdout.buffer.write(captured.body)


def _archive(obj: Context) -> Any:
    """A migrated engine on the configured store (the search index may need creating first)."""
    from storage.db import make_engine, migrate

    engine = make_engine(obj.settings().database_url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _render_hit(rank: int, hit: Any, ranked: bool) -> str:
    import html
    import re

    places = (hit.region["province"], hit.region["city"], hit.region["district"])
    region = " ".join(dict.fromkeys(p for p in places if p))  # 上海市 is province and city: print once
    issued = hit.issue_date or hit.publish_date
    styled = re.sub(r"<mark>(.*?)</mark>", lambda m: click.style(m[1], bold=True, fg="red"), hit.snippet)
    snippet = html.unescape(styled)
    status = "" if hit.status == "active" else "  [已撤下 removed]"
    version = "" if hit.latest else f" (旧版本 old version {hit.seq})"
    return (
        f"{rank:>3}. {hit.title}{version}{status}{f'  score {hit.score:.3f}' if ranked else ''}\n"
        f"     文号 No.: {hit.doc_number or '—'} · 发文 Issuer: {'、'.join(hit.issuers) or '—'} · "
        f"地区 Region: {region or '—'} · 成文 Issued: {issued or '—'}\n"
        f"     id {hit.id} · version {hit.version_id} · {hit.url}\n"
        f"     {snippet}"
    )


@click.command()
@click.argument("query", nargs=-1)
@click.option("--region", help="Region name or code; a province includes its cities and districts.")
@click.option("--issuer", help="Part of an issuing body's name.")
@click.option("--doc-number", help="文号, any bracket style: 沈政办发[2018]144号 = 沈政办发〔2018〕144号.")
@click.option("--type", "doc_type", help="Document type (行动计划, 实施意见, 规划 …).")
@click.option("--ai", type=click.Choice(["yes", "borderline", "no"]), help="AI relevance label.")
@click.option("--from", "issued_from", type=click.DateTime(["%Y-%m-%d"]), help="Issued on or after.")
@click.option("--to", "issued_to", type=click.DateTime(["%Y-%m-%d"]), help="Issued on or before.")
@click.option("--in-force", type=click.DateTime(["%Y-%m-%d"]), help="In force on this day.")
@click.option("--status", type=click.Choice(["active", "removed", "any"]), default="active", show_default=True)
@click.option("--all-versions", is_flag=True, help="Search every version ever seen, not only the latest.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def search(obj: Context, query: tuple[str, ...], region: str | None, issuer: str | None, doc_number: str | None,
           doc_type: str | None, ai: str | None, issued_from: Any, issued_to: Any, in_force: Any,
           status: str, all_versions: bool, limit: int, as_json: bool) -> None:
    """Full-text search of the archive, with metadata filters.

    Every word of QUERY must occur; words in double quotes must occur together:
    policywatch search '"数据要素市场"' 补贴 --region 广东省
    """
    from core.errors import SearchError
    from storage.db import session_factory
    from storage.search import SearchQuery, count
    from storage.search import search as run_search

    request = SearchQuery(
        text=" ".join(query), region=region, issuer=issuer, doc_number=doc_number, doc_type=doc_type, ai_label=ai,
        issued_from=issued_from.date() if issued_from else None, issued_to=issued_to.date() if issued_to else None,
        in_force=in_force.date() if in_force else None, status=None if status == "any" else status,
        all_versions=all_versions, limit=limit,
    )
    engine = _archive(obj)
    try:
        with session_factory(engine)() as session:
            hits, total = run_search(session, request), count(session, request)
    except SearchError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps({"total": total, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False, indent=2))
        return
    for rank, hit in enumerate(hits, 1):
        click.echo(_render_hit(rank, hit, bool(query)))
    click.echo(f"{len(hits)} of {total} 条结果 matches")


@click.command()
@click.argument("document_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def versions(obj: Context, document_id: int, as_json: bool) -> None:
    """Every version of a document ever seen: seq, fetch time, content hash, WARC reference."""
    from storage.db import session_factory
    from storage.documents import version_history

    engine = _archive(obj)
    with session_factory(engine)() as session:
        history = version_history(session, document_id)
    engine.dispose()
    if history is None:
        raise click.ClickException(f"no document {document_id}")
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in history], ensure_ascii=False, indent=2))
        return
    click.echo(f"{'seq':>4} {'version':>8}  {'fetched (UTC)':19}  {'content hash':12} {'chars':>7}  WARC")
    for v in history:
        mark = "*" if v.latest else " "
        click.echo(f"{v.seq:>3}{mark} {v.id:>8}  {v.fetched_at:%Y-%m-%d %H:%M:%S}  {v.content_hash[:12]:12} "
                   f"{v.chars:>7}  {v.warc_record or '—'}")
    click.echo(f"{len(history)} 个版本 versions (* latest; `policywatch replay VERSION` shows the page as captured)")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--versions", "with_versions", is_flag=True, help="One row per version, with its text.")
@click.option("--analysis", is_flag=True, help="Add the analysis (outline, targets, citations …) as a JSON column.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_obj
def export(obj: Context, fmt: str, with_versions: bool, analysis: bool, output: Path | None) -> None:
    """Export every document (metadata and latest version id), streamed, as JSON Lines or CSV."""
    from storage.db import session_factory
    from storage.export import write_export

    engine = _archive(obj)
    with session_factory(engine)() as session:
        if output is None:
            write_export(session, sys.stdout, fmt, with_versions, analysis)  # type: ignore[arg-type]
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                rows = write_export(session, out, fmt, with_versions, analysis)  # type: ignore[arg-type]
            click.echo(f"{rows} rows written to {output}", err=True)
    engine.dispose()
