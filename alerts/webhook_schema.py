"""The published JSON Schema of the webhook body (``webhook_body.schema.json`` beside this module).

Served at ``/api/v1/schemas/webhook-body.json`` so receivers can validate what they get; the tests
validate real bodies against it, so the schema and ``alerts.render.build_payload`` cannot drift apart.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "webhook_body.schema.json"


@lru_cache(maxsize=1)
def webhook_body_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(resources.files("alerts").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema
