"""Diffs on demand: any two versions of a document, or the latest versions of any two documents, with
the engine the store stage uses for change alerts (clause-aligned, character spans, numbers, targets)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from consumers.diffing import diff_versions
from core.errors import InvalidRequest, NotFound
from policywatch.archive.comparison_models import Diff
from policywatch.archive.documents import get_document, ref
from storage import documents as repo
from storage.models import Document, DocumentVersion


def _version(session: Session, document: Document, version_id: int | None) -> DocumentVersion:
    version = session.get(DocumentVersion, version_id) if version_id else repo.latest_version(session, document)
    if version is None or version.document_id != document.id:
        raise NotFound(f"no version {version_id} of document {document.id}")
    return version


def _diff(old_doc: Document, old: DocumentVersion, new_doc: Document, new: DocumentVersion) -> Diff:
    summary = diff_versions(old.text, new.text, old.analysis, new.analysis).to_dict()
    return Diff.model_validate(
        {**summary, "old": ref(old_doc), "new": ref(new_doc), "old_version_id": old.id, "new_version_id": new.id}
    )


def diff_document_versions(session: Session, document_id: int, old_id: int | None, new_id: int | None) -> Diff:
    """Two versions of one document; without ids, the previous and the latest."""
    document = get_document(session, document_id)
    new = _version(session, document, new_id)
    if old_id is None:
        history = [v for v in document.versions if v.seq < new.seq]
        if not history:
            raise InvalidRequest(f"document {document_id} has no version before version {new.id}")
        old = history[-1]
    else:
        old = _version(session, document, old_id)
    return _diff(document, old, document, new)


def diff_documents(session: Session, old_id: int, new_id: int) -> Diff:
    """The latest versions of two documents (a plan against its predecessor, or against the plan it borrows)."""
    old_doc, new_doc = get_document(session, old_id), get_document(session, new_id)
    return _diff(old_doc, _version(session, old_doc, None), new_doc, _version(session, new_doc, None))
