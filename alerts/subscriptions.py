"""Subscriptions as data: a TOML file of ``[[subscription]]`` tables, validated, then mirrored into the DB.

The file is the source of truth an operator edits; ``sync_subscriptions`` upserts its entries by
name so that alerts already created keep pointing at the same subscription row.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.channels import CHANNELS
from core.errors import SubscriptionError, UnknownRegion
from core.significance import GRADES
from storage.accounts import OPERATOR_ACCOUNT, ensure_account
from storage.models import Subscription
from zhtext.regions import resolve_region

CHANGE_KINDS = ("new", "revised", "removed", "expiring", "expired", "superseded")
DIGESTS = ("off", "daily", "weekly")
ADMIN_LEVELS = ("national", "provincial", "municipal", "district")
SIGNIFICANCE_GRADES = GRADES  # graded by consumers.significance, ordered in core.significance
KEYWORD_MODES = ("word", "substring")
DEMO_SUBSCRIPTIONS = "demo_subscriptions.toml"




class SubscriptionSpec(BaseModel):
    """One subscriber's filters and where to deliver.

    Empty ``regions``/``keywords``/``topics``/``change_kinds`` mean "no restriction" on that
    dimension. Within a dimension any value matches; all dimensions must match.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="Unique name; the upsert key.")
    channel: str = Field(min_length=1, max_length=30, description="Channel name, e.g. email, webhook.")
    target: str = Field("", description="Address for the channel: mail address, URL, file path.")
    regions: list[str] = Field(default_factory=list, description="Region names or 6-digit codes.")
    keywords: list[str] = Field(default_factory=list, description="Any of these in title or text.")
    topics: list[str] = Field(default_factory=list, description="Any of these in the document topics.")
    change_kinds: list[str] = Field(default_factory=list, description="Subset of new, revised, removed.")
    ai_only: bool = Field(True, description="Only documents labelled AI 'yes' (not borderline).")
    active: bool = Field(True, description="Inactive subscriptions receive nothing.")
    admin_levels: list[str] = Field(
        default_factory=list, description=f"Documents issued at these levels ({', '.join(ADMIN_LEVELS)})."
    )
    doc_types: list[str] = Field(default_factory=list, description="Document genres, e.g. 行动计划, 实施意见.")
    issuers: list[str] = Field(default_factory=list, description="Any of these inside an issuer's name.")
    min_ai_score: float | None = Field(None, ge=0, le=1, description="Lowest AI relevance score (0–1).")
    min_significance: str | None = Field(
        None, description=f"Lowest change significance ({' < '.join(SIGNIFICANCE_GRADES)}); ungraded changes pass."
    )
    keyword_mode: str = Field(
        "word", description="word: a keyword matches whole segmented words (人工 not in 人工智能); substring: anywhere."
    )
    digest: str = Field("off", description="off (each alert at once), daily or weekly (one message).")
    digest_hour: int = Field(8, ge=0, le=23, description="Local hour the digest is sent (alerts.timezone).")
    digest_weekday: int = Field(0, ge=0, le=6, description="Weekday of a weekly digest (0 = Monday).")

    @field_validator("regions", "keywords", "topics", "doc_types", "issuers")
    @classmethod
    def _no_blank_values(cls, value: list[str]) -> list[str]:
        cleaned = [item.strip() for item in value]
        if any(not item for item in cleaned):
            raise ValueError("must not contain empty strings")
        return cleaned

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, value: list[str]) -> list[str]:
        for name in value:
            try:
                resolve_region(name)
            except UnknownRegion as exc:
                raise ValueError(str(exc)) from exc
        return value

    @field_validator("admin_levels")
    @classmethod
    def _known_levels(cls, value: list[str]) -> list[str]:
        unknown = [level for level in value if level not in ADMIN_LEVELS]
        if unknown:
            raise ValueError(f"unknown admin level(s) {unknown}; use {list(ADMIN_LEVELS)}")
        return value

    @field_validator("min_significance", "keyword_mode", "digest")
    @classmethod
    def _one_of_known(cls, value: str | None, info: ValidationInfo) -> str | None:
        what, allowed = {"min_significance": ("significance", SIGNIFICANCE_GRADES),
                         "keyword_mode": ("keyword mode", KEYWORD_MODES), "digest": ("digest", DIGESTS)}[info.field_name]
        if value is not None and value not in allowed:
            raise ValueError(f"unknown {what} {value!r}; use one of {list(allowed)}")
        return value

    @field_validator("change_kinds")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        unknown = [kind for kind in value if kind not in CHANGE_KINDS]
        if unknown:
            raise ValueError(f"unknown change kind(s) {unknown}; use {list(CHANGE_KINDS)}")
        return value


def parse_subscriptions(
    data: dict[str, Any], origin: str = "<subscriptions>", known_channels: Iterable[str] | None = None
) -> list[SubscriptionSpec]:
    """Validate the ``subscription`` array of a parsed TOML document.

    ``known_channels``, when given, rejects channel names no registered channel answers to.
    """
    extra = sorted(set(data) - {"subscription"})
    if extra:
        raise SubscriptionError(f"{origin}: unknown top-level key(s) {extra}; expected [[subscription]]")
    entries = data.get("subscription", [])
    if not isinstance(entries, list):
        raise SubscriptionError(f"{origin}: 'subscription' must be an array of tables ([[subscription]])")
    channels = set(known_channels) if known_channels is not None else None
    specs: list[SubscriptionSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        label = _entry_label(origin, index, entry)
        if not isinstance(entry, dict):
            raise SubscriptionError(f"{label}: must be a table")
        try:
            spec = SubscriptionSpec.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"key '{'.'.join(str(p) for p in err['loc']) or '?'}': {err['msg'].removeprefix('Value error, ')}"
                for err in exc.errors()
            )
            raise SubscriptionError(f"{label}: {problems}") from exc
        if channels is not None and spec.channel not in channels:
            raise SubscriptionError(
                f"{label}: key 'channel': unknown channel {spec.channel!r} (known: {sorted(channels)})"
            )
        if spec.name in seen:
            raise SubscriptionError(f"{label}: key 'name': duplicate name {spec.name!r}")
        seen.add(spec.name)
        specs.append(spec)
    return specs


def _entry_label(origin: str, index: int, entry: object) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"{origin}: subscription #{index}" + (f" ({name!r})" if name else "")


def load_subscriptions_file(
    path: Path, known_channels: Iterable[str] | None = None
) -> list[SubscriptionSpec]:
    """Read and validate a subscriptions TOML file; channels default to the registered ones."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SubscriptionError(f"{path}: subscriptions file does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SubscriptionError(f"{path}: not valid TOML: {exc}") from exc
    return parse_subscriptions(data, str(path), CHANNELS if known_channels is None else known_channels)


def demo_subscriptions_file() -> Path:
    """Path of the demo subscribers shipped as package data (for ``alerts.subscriptions_file``)."""
    return Path(str(resources.files("alerts").joinpath(DEMO_SUBSCRIPTIONS)))


def load_demo_subscriptions() -> list[SubscriptionSpec]:
    """The demo subscribers (used by ``make demo`` and the tests)."""
    return load_subscriptions_file(demo_subscriptions_file())


def sync_subscriptions(
    session: Session, specs: Sequence[SubscriptionSpec], *, deactivate_missing: bool = False,
    account_name: str = OPERATOR_ACCOUNT,
) -> list[Subscription]:
    """Upsert ``specs`` by name into the operator's account (``account_name``) and return their rows;
    never commits (the caller owns the transaction).

    With ``deactivate_missing`` that account's rows whose name is not in ``specs`` are set inactive
    rather than deleted, because their alerts and deliveries still reference them. Other accounts'
    subscriptions (made through the API) are never touched.
    """
    account = ensure_account(session, account_name)
    owned = (Subscription.account_id == account.id) | Subscription.account_id.is_(None)
    existing = {row.name: row for row in session.scalars(select(Subscription).where(owned))}
    rows: list[Subscription] = []
    for spec in specs:
        row = existing.get(spec.name)
        if row is None:
            row = Subscription(name=spec.name)
            session.add(row)
        row.account_id = account.id
        row.channel = spec.channel
        row.target = spec.target
        row.regions = list(spec.regions)
        row.keywords = list(spec.keywords)
        row.topics = list(spec.topics)
        row.change_kinds = list(spec.change_kinds)
        row.ai_only = spec.ai_only
        row.active = spec.active
        apply_filters(row, spec)
        rows.append(row)
    if deactivate_missing:
        wanted = {spec.name for spec in specs}
        for name, row in existing.items():
            if name not in wanted:
                row.active = False
    session.flush()
    return rows


FILTER_FIELDS = ("admin_levels", "doc_types", "issuers", "min_ai_score", "min_significance", "keyword_mode")
# When alerts go out: at once, or in a daily or weekly digest (alerts.digests).
SCHEDULE_FIELDS = ("digest", "digest_hour", "digest_weekday")


def apply_filters(row: Subscription, spec: SubscriptionSpec) -> None:
    """Copy the filters added with accounts (levels, types, issuers, minimums, keyword mode) onto a row."""
    for name in FILTER_FIELDS + SCHEDULE_FIELDS:
        value = getattr(spec, name)
        setattr(row, name, list(value) if isinstance(value, list) else value)
