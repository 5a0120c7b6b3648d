"""/export: Excel files of a cadre's scope — members, trainings with attendance, nominations with
their decisions and vote counts.

The file is built in the bot's idle process (bot.infra.idle_process: spawned once, kept for the
next export, at a lower CPU priority) by bot.services.admin.export_job, with its own read-only
SQLite connection: rows stream from the database a page at a time into a write-only workbook.
The bot's event loop and its database connection are never held by an export, so other chats
do not wait; the bot's process only reads the finished file's bytes to send them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from pathlib import Path

from bot.domain.admin.exports import ExportFile, ExportKind, ExportScope, ExportWording
from bot.domain.admin.stats import widest_paths
from bot.domain.authz import Action
from bot.domain.models import OrgUnit
from bot.infra.idle_process import Abandoned, WorkerStopped, run_idle
from bot.services.admin.export_job import BuiltFile, ExportJob, build_file
from bot.services.errors import ServiceError
from bot.services.shared import Shared, UseCase
from storage.exports import PAGE_SIZE

# Telegram bots may send documents up to 50 MB.
MAX_FILE_BYTES = 50 * 1024 * 1024
_FILE_FORBIDDEN = re.compile(r"[\\/:*?\"<>|\s]+")
_LOGGER = logging.getLogger(__name__)


class ExportTooLarge(ServiceError, code="export.too_large"):
    """The file would be over Telegram's 50 MB limit for documents."""


class ExportFailed(ServiceError, code="export.failed"):
    """The process that builds export files stopped before the file was made."""


class ExportAbandoned(ServiceError, code="export.abandoned"):
    """The bot stopped while the file was being built; it was given up, not waited for."""


async def _built(job: ExportJob) -> BuiltFile:
    """Builds the file in the bot's idle process; whatever stops it is an ExportFailed, and a
    file Telegram would not take is an ExportTooLarge."""
    try:
        built = await run_idle(build_file, job)
    except Abandoned as exc:
        raise ExportAbandoned(str(exc)) from exc
    except WorkerStopped as exc:
        raise ExportFailed(str(exc)) from exc
    except Exception as exc:
        _LOGGER.exception("export of %s failed", job.unit.code)
        raise ExportFailed(str(exc)) from exc
    _LOGGER.info(
        "%s export of %s: %d rows, %d bytes; gave way to the chats %d times",
        job.kind.name.lower(),
        job.unit.code,
        built.rows,
        built.size,
        built.gave_way,
    )
    if built.size > MAX_FILE_BYTES:
        raise ExportTooLarge(f"{built.size} bytes")
    return built


class ExportService(UseCase):
    def __init__(self, shared: Shared, *, db_path: Path) -> None:
        """`db_path` is the database's file, which the export process reads on its own."""
        super().__init__(shared)
        self._db_path = db_path

    async def scope(self, telegram_user_id: int) -> ExportScope:
        """/export: the cadre's units (AccessDenied, audited, for anyone else)."""
        actor = await self._access.require_any(telegram_user_id, Action.EXPORT_DATA)
        units = await self._access.scope_units(actor, Action.EXPORT_DATA)
        unique = {unit.path: unit for unit in units}
        return ExportScope(units=[unique[path] for path in widest_paths(unique)])

    async def unit(self, telegram_user_id: int, *, unit_id: int) -> OrgUnit:
        """The unit whose exports a cadre is offered, if they may export it."""
        await self._access.require(telegram_user_id, Action.EXPORT_DATA, unit_id=unit_id)
        return await self._orgs.get(unit_id=unit_id)

    async def export(
        self,
        telegram_user_id: int,
        *,
        kind: ExportKind,
        unit_id: int,
        wording: ExportWording,
    ) -> ExportFile:
        """Builds one export of the unit's subtree, authorised again, and audits it."""
        action = Action.EXPORT_NOMINATIONS if kind is ExportKind.NOMINATIONS else Action.EXPORT_DATA
        await self._access.require(telegram_user_id, action, unit_id=unit_id)
        unit = await self._orgs.get(unit_id=unit_id)
        made = await self.build(kind=kind, unit=unit, wording=wording)
        await self._store.audit.append(
            at=self._clock.now(),
            actor_user_id=telegram_user_id,
            action=f"export.{kind.name.lower()}",
            entity="org_unit",
            entity_id=unit.id,
            after={"rows": made.rows, "bytes": len(made.content)},
        )
        return made

    async def build(
        self,
        *,
        kind: ExportKind,
        unit: OrgUnit,
        wording: ExportWording,
        page_size: int = PAGE_SIZE,
    ) -> ExportFile:
        """The file itself, with no permission check (callers have made it), built in the
        export process; the bot's process only holds the finished file's bytes."""
        now = self._clock.now()
        names = await self._orgs.path_names(unit_id=unit.id)
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="leaguebot-export-"))
        job = ExportJob(
            db_path=self._db_path,
            kind=kind,
            unit=unit,
            wording=wording,
            names=names,
            now=now,
            timezone=self._tz.key,
            target=folder / "export.xlsx",
            page_size=page_size,
        )
        try:
            built = await _built(job)
            content = await asyncio.to_thread(job.target.read_bytes)
        finally:
            await asyncio.to_thread(_remove, folder)
        stem = _FILE_FORBIDDEN.sub("-", f"{wording.titles[kind]}-{unit.code}")
        local = now.astimezone(self._tz)
        return ExportFile(
            kind=kind,
            unit=unit,
            filename=f"{stem}-{local:%Y%m%d-%H%M}.xlsx",
            content=content,
            rows=built.rows,
        )


def _remove(folder: Path) -> None:
    for entry in folder.iterdir():
        entry.unlink(missing_ok=True)
    folder.rmdir()
