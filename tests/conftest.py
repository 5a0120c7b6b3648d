"""Fixtures shared by the suite: a real sandbox on 127.0.0.1, a real migrated SQLite file,
and the real PTB application polling the sandbox — no mocks of bot methods or the database."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import LeagueApp, running_bot
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.demo import orgs_path
from bot.services.admin.org_import import import_orgs
from sandbox.client import SandboxClient, Settle
from sandbox.server import SandboxServer, SandboxSettings
from storage.database import Database
from storage.org_units import OrgUnitRepository

TOKEN = "123456789:TEST-token-for-the-sandbox-only-000000"
ADMIN_ID = 900001
# 16:00 in Shanghai on the day this suite was written; ages in the tests are counted from it.
START = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_leaguebot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's LEAGUEBOT_* variables must not change what the tests see."""
    for key in list(os.environ):
        if key.startswith("LEAGUEBOT_"):
            monkeypatch.delenv(key)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


@pytest.fixture
async def demo_db(db_path: Path) -> Path:
    """A migrated database file holding the demo org tree."""
    async with Database(db_path) as db:
        await db.migrate()
        await import_orgs(repo=OrgUnitRepository(db), path=orgs_path(), now=START)
        # The tests read the audit log from an empty start: the seeding entry is setup, not
        # something a test did.
        await db.execute("DELETE FROM audit_log WHERE action = 'orgs.imported'")
    return db_path


def bot_settings(base_url: str, db_path: Path, **sections: dict[str, object]) -> Settings:
    overrides: dict[str, dict[str, object]] = {
        "telegram": {"token": TOKEN, "base_url": base_url},
        "storage": {"path": str(db_path)},
        "bot": {"admins": [ADMIN_ID], "error_report_interval": 0},
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return load_settings(None, overrides=overrides)


@pytest.fixture
async def db(demo_db: Path) -> AsyncIterator[Database]:
    """A second connection to the bot's database, for asserting what it holds."""
    async with Database(demo_db) as database:
        yield database


def settle_with(app: LeagueApp) -> Settle:
    """Exact settle for a bot in this process: the update was taken, and every queued update
    has been processed (PTB marks a queued update done only after its handlers returned)."""

    async def settle(client: SandboxClient, update_id: int) -> None:
        deadline = asyncio.get_running_loop().time() + 15
        while (await client.update_state(update_id))["state"] not in ("confirmed", "dropped"):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the bot never took update {update_id}")
            await asyncio.sleep(0.005)
        await asyncio.wait_for(app.update_queue.join(), timeout=15)
        # Messages the handlers put in the outbox (notifications to others) go out too.
        await app.bot_data.delivery.wait_idle()

    return settle


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    # A person needs seconds per answer; a test needs milliseconds. The per-chat burst is
    # widened so journeys run at test speed; the limits themselves are tested in tests/sandbox.
    server = SandboxServer(SandboxSettings(private_chat_burst=100))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def settings(sandbox: SandboxServer, demo_db: Path) -> Settings:
    return bot_settings(sandbox.url, demo_db)


@pytest.fixture
async def bot(settings: Settings, clock: ManualClock) -> AsyncIterator[LeagueApp]:
    """The real application, polling the sandbox, over the demo database."""
    async with running_bot(settings, clock=clock, poll_timeout=5) as app:
        yield app


@pytest.fixture
async def telegram(sandbox: SandboxServer, bot: LeagueApp) -> AsyncIterator[SandboxClient]:
    """Acts as people in the sandbox; each action returns once the bot has fully reacted."""
    client = SandboxClient(sandbox.url, settle=settle_with(bot))
    try:
        yield client
    finally:
        await client.close()
