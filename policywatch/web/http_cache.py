"""Conditional GET for archive resources: an ETag from the body and Last-Modified from the data, so a
client (or a cache in front) revalidates a document or version with If-None-Match and gets 304."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def cached_json(request: Request, model: BaseModel, last_modified: datetime | None) -> Response:
    """``model`` as JSON with ETag and Last-Modified, or 304 when the client's copy is current."""
    response = JSONResponse(jsonable_encoder(model))
    etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if last_modified is not None:
        moment = last_modified if last_modified.tzinfo else last_modified.replace(tzinfo=UTC)
        headers["Last-Modified"] = format_datetime(moment.astimezone(UTC), usegmt=True)
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
