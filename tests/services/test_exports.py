"""Export files are made in a process of their own, over its own read-only connection to the
database file: shown here on the very connection the services use, in the middle of one of its
write transactions."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import idle_services
from bot.clock import ManualClock
from bot.domain.admin.exports import ExportKind, ExportWording
from bot.domain.models import Language
from bot.i18n import Translator
from bot.infra.idle_process import stop_idle_process
from bot.services import Services
from handlers.admin.export_screens import wording
from storage.database import Database
from tests.conftest import bot_settings
from tests.journeys.cadre_steps import unit_id
from tests.journeys.figures_steps import add_members, sheet_values


@pytest.fixture
async def services(db: Database, demo_db: Path, clock: ManualClock) -> AsyncIterator[Services]:
    yield idle_services(bot_settings("http://127.0.0.1:9", demo_db), db=db, clock=clock)
    # The export process these tests started ends with them, as it ends with the bot.
    await asyncio.to_thread(stop_idle_process)


def chinese() -> ExportWording:
    words = Translator()
    return wording(lambda key, **params: words.t(Language.ZH, key, **params))


class Undone(Exception):
    """Raised inside a transaction so that it is rolled back."""


async def test_a_file_holds_what_was_saved_even_while_the_bots_connection_is_writing(
    services: Services, db: Database
):
    ids = await add_members(db, "S01-01", 2, prefix="湖滨团员")
    unit = await services.orgs.get(unit_id=await unit_id(db, "S01-01"))

    async def roster() -> list[object]:
        made = await services.exports.build(kind=ExportKind.MEMBERS, unit=unit, wording=chinese())
        return [row[1] for row in sheet_values(made.content, "团员名册")[2:]]

    seen: list[list[object]] = []

    async def export_while_renaming() -> None:
        async with db.transaction() as sql:
            await sql.execute("UPDATE members SET name = '未保存的名字' WHERE id = ?", (ids[0],))
            seen.append(await roster())
            raise Undone

    # The connection the services use holds the write lock, with a rename not yet committed
    # (it is rolled back afterwards): the file is made all the same, and it holds the names
    # as saved. Pages read over the bot's own connection would have seen the uncommitted one.
    with pytest.raises(Undone):
        await export_while_renaming()
    assert seen == [["湖滨团员0", "湖滨团员1"]]
    # Once a change is committed, the next file has it.
    await db.execute("UPDATE members SET name = '改过的名字' WHERE id = ?", (ids[0],))
    assert await roster() == ["改过的名字", "湖滨团员1"]


async def test_the_export_gives_way_while_the_bots_event_loop_runs_and_still_finishes(
    services: Services, db: Database, caplog: pytest.LogCaptureFixture
):
    await add_members(db, "S01-01", 200, prefix="湖滨团员")
    unit = await services.orgs.get(unit_id=await unit_id(db, "S01-01"))
    caplog.set_level(logging.INFO, logger="bot.services.admin.exports")

    async def roster() -> int:
        made = await services.exports.build(kind=ExportKind.MEMBERS, unit=unit, wording=chinese())
        return len(sheet_values(made.content, "团员名册")[2:])

    async def busy_loop(done: asyncio.Event) -> None:
        # The event loop is kept on the CPU, 20 ms at a time, as while answering many members.
        while not done.is_set():
            until = time.monotonic() + 0.02
            while time.monotonic() < until:
                pass
            await asyncio.sleep(0)

    done = asyncio.Event()
    busy = asyncio.create_task(busy_loop(done))
    try:
        assert await roster() == 200
    finally:
        done.set()
        await busy
    while_busy = waits(caplog.text)
    caplog.clear()
    # With the loop idle, waiting for the file, the export hardly ever finds it running.
    assert await roster() == 200
    assert while_busy >= 3
    assert waits(caplog.text) < while_busy


def waits(log: str) -> int:
    """The times the export process waited, as the bot logged them."""
    found = re.search(
        r"members export of S01-01: 200 rows, \d+ bytes; gave way to the chats (\d+) times", log
    )
    assert found is not None, log
    return int(found.group(1))
