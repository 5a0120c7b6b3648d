"""Imports an organisation tree from a CSV or TOML file into the database, all or nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.domain.admin.imports import Problem
from bot.domain.admin.org_import import (
    ImportFormat,
    ImportReport,
    OrgImportError,
    OrgRow,
    decode_org_csv,
    decode_org_toml,
    parse_org_csv,
    parse_org_toml,
)
from bot.domain.models import NewOrgUnit, OrgKind
from storage.database import Conflict, NotFound
from storage.org_units import OrgUnitRepository

__all__ = ["import_orgs", "import_orgs_text"]

_FORMATS: dict[str, ImportFormat] = {".csv": "csv", ".toml": "toml"}


async def import_orgs(
    *, repo: OrgUnitRepository, path: Path, now: datetime, actor_user_id: int | None = None
) -> ImportReport:
    """Imports a .csv or .toml tree from `path`; raises OrgImportError naming every problem."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        problem = Problem.of(path.name, "org_import.unsupported_format", {"suffix": path.suffix})
        raise OrgImportError([problem])
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        problem = Problem.of(
            path.name, "org_import.cannot_read", {"error": exc.strerror or str(exc)}
        )
        raise OrgImportError([problem]) from exc
    text = decode_org_csv(data) if fmt == "csv" else decode_org_toml(data, path.name)
    return await import_orgs_text(
        repo=repo, text=text, fmt=fmt, now=now, actor_user_id=actor_user_id
    )


async def import_orgs_text(
    *,
    repo: OrgUnitRepository,
    text: str,
    fmt: ImportFormat,
    now: datetime,
    actor_user_id: int | None = None,
) -> ImportReport:
    """Imports a tree given as text; units already stored may be parents but not be repeated."""
    rows = await _parse(repo=repo, text=text, fmt=fmt)
    new_units = [NewOrgUnit.model_validate(row, from_attributes=True) for row in rows]
    try:
        units = await repo.add_many(units=new_units, now=now, actor_user_id=actor_user_id)
    except (Conflict, NotFound):
        # Someone changed the tree between our reading it and writing: the batch was rolled
        # back, so judging the file again against the tree as it is now names the culprit rows.
        await _parse(repo=repo, text=text, fmt=fmt)
        raise
    created = dict.fromkeys(OrgKind, 0)
    for unit in units:
        created[unit.kind] += 1
    return ImportReport(format=fmt, created=created, units=units)


async def _parse(*, repo: OrgUnitRepository, text: str, fmt: ImportFormat) -> list[OrgRow]:
    """Validates the text against the units already stored."""
    stored = await repo.all()
    existing = {unit.code: unit.kind for unit in stored}
    code_of = {unit.id: unit.code for unit in stored}
    # New children without a sort order are listed after the children already there.
    next_sort_order: dict[str, int] = {}
    for unit in stored:
        if unit.parent_id is not None:
            parent = code_of[unit.parent_id]
            next_sort_order[parent] = max(next_sort_order.get(parent, 0), unit.sort_order + 1)
    parse = parse_org_csv if fmt == "csv" else parse_org_toml
    return parse(text, existing_codes=existing, next_sort_order=next_sort_order)
