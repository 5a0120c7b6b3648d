"""`leaguebot sandbox`: the bot and a local sandbox Telegram together, with demo data.

This is the one place where the bot meets the sandbox; the rest of the bot only sees a base URL.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.app import running_bot
from bot.clock import SystemClock
from bot.config import load_settings
from bot.demo import orgs_path
from bot.domain.authz import Role
from bot.services.org_import import import_orgs
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer, SandboxSettings
from storage.database import Database
from storage.org_units import OrgUnitRepository
from storage.roles import RoleRepository

# A well-formed token that only the sandbox accepts; it never reaches Telegram.
SANDBOX_TOKEN = "7000000001:SANDBOX-leaguebot-demo-token-00000000000"


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    first_name: str
    language_code: str
    role: str


DEMO_PEOPLE = (
    DemoPerson(900001, "区团委管理员", "zh-hans", "district admin (bot.admins)"),
    DemoPerson(900101, "张晓明", "zh-hans", "young member, not registered yet"),
    DemoPerson(900102, "李娜", "zh-hans", "young member, not registered yet"),
    DemoPerson(900103, "Tom", "en", "member whose Telegram speaks English"),
    DemoPerson(900201, "王书记", "zh-hans", "团支部书记 of 湖滨社区团支部"),
    DemoPerson(900301, "赵书记", "zh-hans", "团工委干部 of 东湖街道团工委"),
)
ADMIN_ID = DEMO_PEOPLE[0].user_id
# Demo cadres: (person, org unit code, role).
DEMO_CADRES = ((900201, "S01-01", Role.BRANCH_SECRETARY), (900301, "S01", Role.COMMITTEE_CADRE))


async def seed_demo(db_path: Path) -> int:
    """Creates the demo org tree and cadres in an empty database; returns the units added."""
    async with Database(db_path) as db:
        await db.migrate()
        repo = OrgUnitRepository(db)
        if await repo.count() > 0:
            return 0
        now = SystemClock().now()
        report = await import_orgs(repo=repo, path=orgs_path(), now=now)
        roles = RoleRepository(db)
        for user_id, code, role in DEMO_CADRES:
            unit = await repo.get_by_code(code=code)
            await roles.grant(
                telegram_user_id=user_id, org_unit_id=unit.id, role=role, granted_by=None, now=now
            )
        return report.total


def prepare_data_dir(data_dir: Path, *, fresh: bool) -> Path:
    """Makes the folder of the demo database and, for --fresh, removes the old database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "leaguebot.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return db_path


async def run_sandbox(*, port: int, data_dir: Path, fresh: bool) -> None:
    """Starts the sandbox, the demo people and the bot, prints where to chat, runs until Ctrl-C."""
    db_path = prepare_data_dir(data_dir, fresh=fresh)
    server = SandboxServer(SandboxSettings(port=port))
    try:
        await server.start()
    except OSError as exc:
        print(f"sandbox: cannot listen on 127.0.0.1:{port} ({exc}); try --port", file=sys.stderr)
        raise SystemExit(1) from None
    client = SandboxClient(server.url)
    try:
        for person in DEMO_PEOPLE:
            await client.user(
                person.first_name, language_code=person.language_code, user_id=person.user_id
            )
        added = await seed_demo(db_path)
        settings = load_settings(
            None,
            overrides={
                "telegram": {"token": SANDBOX_TOKEN, "base_url": server.url, "poll_timeout": 10},
                "storage": {"path": str(db_path)},
                "bot": {"admins": [ADMIN_ID]},
            },
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with running_bot(settings):
            print(_banner(server.url, db_path, added), flush=True)
            await stop.wait()
    finally:
        await client.close()
        await server.stop()


def _banner(url: str, db_path: Path, added: int) -> str:
    people = "\n".join(f"    {p.first_name:<8} id {p.user_id}  {p.role}" for p in DEMO_PEOPLE)
    seeded = f"demo org tree created ({added} units)" if added else "existing demo data kept"
    return (
        "\n"
        "leaguebot sandbox is running — no Telegram account or token needed.\n"
        f"  Sandbox Telegram (Bot API + control API): {url}\n"
        f"  Database: {db_path} ({seeded}; --fresh starts over)\n"
        "  Chat with the bot as a demo person, in a second terminal:\n"
        "    .venv/bin/leaguebot chat --as 张晓明\n"
        "  Demo people:\n"
        f"{people}\n"
        "  Stop with Ctrl-C.\n"
    )
