"""Commands for reading the archive like its pages do: a document, a diff, lineage, targets across regions.

Each prints text for people and, with ``--json``, the API's shape (``policywatch.archive``) for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from pydantic import BaseModel
from sqlalchemy.orm import Session

from policywatch.cli.archive import _archive
from policywatch.cli.context import Context


def _query(obj: Context, read: Callable[[Session], BaseModel]) -> BaseModel:
    from core.errors import InvalidRequest
    from storage.db import session_factory

    engine = _archive(obj)
    try:
        with session_factory(engine)() as session:
            return read(session)
    except InvalidRequest as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


def _echo_json(model: BaseModel) -> None:
    click.echo(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2))


def _ref(ref: Any) -> str:
    parts = [f"#{ref.id} {ref.title}", ref.doc_number or "", ref.region, str(ref.issue_date or "")]
    return " · ".join(p for p in parts if p)


@click.command()
@click.argument("document_id", type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON (GET /api/v1/documents/ID).")
@click.pass_obj
def show(obj: Context, document_id: int, as_json: bool) -> None:
    """A document: metadata, validity, targets, citations, relations, versions."""
    from policywatch.archive.documents import detail

    days = obj.settings().web.expiring_within_days
    doc: Any = _query(obj, lambda s: detail(s, document_id, expiring_days=days))
    if as_json:
        _echo_json(doc)
        return
    click.echo(f"{doc.title}\n文号 {doc.doc_number or '—'} · {doc.region.name or '—'} · {doc.doc_type or '—'} · "
               f"成文 {doc.issue_date or '—'} · {doc.validity.label} ({doc.validity.basis or 'no dates'})")
    click.echo(f"发文机关 {'、'.join(doc.issuers) or '—'} · AI {doc.ai.label} · 主题 {'、'.join(doc.ai.topics) or '—'}")
    for t in doc.targets:
        click.echo(f"  目标 {t.metric}: {t.comparator or ''}{t.value}{t.unit or ''} ({t.year or '—'})")
    for c in doc.citations:
        target = f" → {_ref(c.document)}" if c.document else ""
        click.echo(f"  引用 {'《' + c.title + '》' if c.title else ''}{c.doc_number or ''}{target}")
    rel = doc.relations
    for p in rel.predecessors:
        click.echo(f"  前期规划 predecessor: {_ref(p.document)}")
    for s in rel.successors:
        click.echo(f"  后续规划 successor: {_ref(s.document)}")
    for link in rel.borrows:
        click.echo(f"  沿用 borrows {link.share:.0%} ← {_ref(link.document)}")
    for link in rel.borrowed_by:
        click.echo(f"  被沿用 borrowed by → {_ref(link.document)} ({link.share:.0%})")
    click.echo(f"{len(doc.versions)} 个版本 versions; {doc.url}")


@click.command()
@click.argument("old", type=click.IntRange(1))
@click.argument("new", type=click.IntRange(1))
@click.option("--versions", "of_versions", is_flag=True, help="OLD and NEW are version ids of one document.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
def diff(obj: Context, old: int, new: int, of_versions: bool, as_json: bool) -> None:
    """Differences between two documents (their latest versions), or two versions with --versions."""
    from policywatch.archive import compare
    from storage.models import DocumentVersion

    def read(session: Session) -> BaseModel:
        if of_versions:
            version = session.get(DocumentVersion, new)
            document_id = version.document_id if version is not None else 0
            return compare.diff_document_versions(session, document_id or new, old, new)
        return compare.diff_documents(session, old, new)

    result: Any = _query(obj, read)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{_ref(result.old)}  →  {_ref(result.new)}\n{result.headline} (相似度 similarity {result.similarity:.0%})")
    for change in result.changed:
        for span in change.spans:
            click.echo(f"  ~ {change.clause or ''} [-{span.before}-]{{+{span.after}+}}")
    for para in result.added:
        click.echo(f"  + {para.clause or ''} {para.text[:120]}")
    for para in result.removed:
        click.echo(f"  - {para.clause or ''} {para.text[:120]}")


@click.command()
@click.argument("document_id", type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
def lineage(obj: Context, document_id: int, as_json: bool) -> None:
    """Text a document borrows from stored documents, and who borrows from it."""
    from policywatch.archive.graph import lineage as read

    result: Any = _query(obj, lambda s: read(s, document_id))
    if as_json:
        _echo_json(result)
        return
    click.echo(_ref(result.document))
    for link in result.borrows:
        click.echo(f"  ← borrows {link.share:.0%} of its text from {_ref(link.document)}")
        for passage in link.passages:
            click.echo(f"      「{passage}」")
    for link in result.borrowed_by:
        click.echo(f"  → {link.share:.0%} of {_ref(link.document)} comes from it")
    if not (result.borrows or result.borrowed_by):
        click.echo("  no shared text with stored documents")


@click.command("compare-targets")
@click.option("--metric", help="Metric, or part of it (人工智能核心产业规模); without it, the metrics to choose from.")
@click.option("--region", help="Only this region and its subregions.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_obj
def compare_targets(obj: Context, metric: str | None, region: str | None, as_csv: bool, as_json: bool) -> None:
    """One target metric across regions and years, from every stored plan."""
    from policywatch.archive import targets

    result: Any = _query(obj, lambda s: targets.compare_targets(s, metric, region))
    if as_json:
        _echo_json(result)
    elif as_csv:
        click.echo(targets.comparison_csv(result), nl=False)
    elif not metric:
        click.echo("\n".join(result.metrics))
    else:
        for row in result.rows:
            click.echo(f"{row.region:24} {row.year or '':>4}  {row.comparator or ''}{'' if row.value is None else f'{row.value:g}'}{row.unit or ''}  "
                       f"{row.metric} · #{row.document.id} {row.document.title}")
        click.echo(f"{len(result.rows)} 条目标 targets")
