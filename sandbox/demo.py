"""`python -m sandbox run` (`make sandbox`, `leaguebot sandbox`): the bot and a local sandbox
Telegram together, with demo data.

This is the one place where the sandbox meets the bot, and the sandbox wires itself to the bot:
the bot only sees a base URL. Here the sandbox's clock becomes the bot's clock (see
`BotClockBridge`), so the web chat's clock control moves the bot's scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from bot.app import LeagueApp, running_bot
from bot.clock import ManualClock, OffsetClock, SystemClock
from bot.config import ENV_PREFIX, load_settings
from bot.demo import orgs_path
from bot.domain.authz import Role
from bot.domain.nominations.campaigns import CampaignKind, CampaignSpec, preset
from bot.domain.trainings import TrainingDraft
from bot.services.admin.org_import import import_orgs
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer, SandboxSettings
from storage.database import Database
from storage.org_units import OrgUnitRepository
from storage.roles import RoleRepository

_LOGGER = logging.getLogger(__name__)

# Beside the demo database: seconds the demo clock is ahead of real time.
CLOCK_FILE = "clock-offset"
# A well-formed token that only the sandbox accepts; it never reaches Telegram.
SANDBOX_TOKEN = "7000000001:SANDBOX-leaguebot-demo-token-00000000000"
# How long moving the clock waits for the messages that fell due to go out.
SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    first_name: str
    language_code: str
    role: str
    # Who they are, as the web chat's list of people shows it.
    note: str


DEMO_PEOPLE = (
    DemoPerson(
        900001,
        "区团委管理员",
        "zh-hans",
        "district admin (bot.admins)",
        "团区委管理员（bot.admins）",
    ),
    DemoPerson(900101, "张晓明", "zh-hans", "young member, not registered yet", "青年，尚未登记"),
    DemoPerson(900102, "李娜", "zh-hans", "young member, not registered yet", "青年，尚未登记"),
    DemoPerson(
        900103, "Tom", "en", "member whose Telegram speaks English", "青年，Telegram 语言为英文"
    ),
    DemoPerson(
        900201, "王书记", "zh-hans", "团支部书记 of 湖滨社区团支部", "湖滨社区团支部 · 团支部书记"
    ),
    DemoPerson(
        900301, "赵书记", "zh-hans", "团工委干部 of 东湖街道团工委", "东湖街道团工委 · 团工委干部"
    ),
)
ADMIN_ID = DEMO_PEOPLE[0].user_id
# Demo cadres: (person, org unit code, role).
DEMO_CADRES = ((900201, "S01-01", Role.BRANCH_SECRETARY), (900301, "S01", Role.COMMITTEE_CADRE))


async def grant_demo_cadres(db: Database, *, now: datetime) -> None:
    """Appoints the demo cadres over a database that holds the demo org tree."""
    units = OrgUnitRepository(db)
    roles = RoleRepository(db)
    for user_id, code, role in DEMO_CADRES:
        unit = await units.get_by_code(code=code)
        await roles.grant(
            telegram_user_id=user_id, org_unit_id=unit.id, role=role, granted_by=None, now=now
        )


async def seed_demo(db_path: Path) -> int:
    """Creates the demo org tree and cadres in an empty database; returns the units added."""
    async with Database(db_path) as db:
        await db.migrate()
        repo = OrgUnitRepository(db)
        if await repo.count() > 0:
            return 0
        now = SystemClock().now()
        report = await import_orgs(repo=repo, path=orgs_path(), now=now)
        await grant_demo_cadres(db, now=now)
        return report.total


DEMO_CAMPAIGN = "示例：2026年第一批推优入党积极分子"
DEMO_TRAINING = "示例：2026年团校第一期"


async def seed_demo_activities(app: LeagueApp, now: datetime) -> None:
    """A 推优 round open for a month and a training next week, made by the demo admin through
    the services, so their notices and reminders are scheduled as a cadre's would be."""
    services = app.bot_data.services
    tz = app.bot_data.settings.bot.tz
    today = now.astimezone(tz).date()
    await services.campaigns.create(
        ADMIN_ID,
        CampaignSpec(
            kind=CampaignKind.ACTIVIST,
            title=DEMO_CAMPAIGN,
            opens_on=today,
            closes_on=today + timedelta(days=30),
            rules=preset(CampaignKind.ACTIVIST),
        ),
    )
    day = today + timedelta(days=7)
    starts = datetime.combine(day, time(14, 0), tzinfo=tz)
    # the campaign's scope when none is named: the whole district
    district = await services.campaigns.scope_unit("")
    await services.managed_trainings.publish(
        ADMIN_ID,
        TrainingDraft(
            title=DEMO_TRAINING,
            description="学习团章、团的基本知识，交流支部工作经验。",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="区青少年宫三楼报告厅",
            capacity=30,
            hours_tenths=20,
            audience_unit_id=district.id,
            signup_deadline=starts - timedelta(hours=6),
        ),
    )


async def add_demo_people(client: SandboxClient) -> None:
    """The demo people as sandbox users, each with the note the web chat shows."""
    for person in DEMO_PEOPLE:
        await client.user(
            person.first_name,
            language_code=person.language_code,
            user_id=person.user_id,
            note=person.note,
        )


class BotClockBridge:
    """Makes the sandbox's clock the bot's: the web chat's clock control moves the bot's time,
    and the bot's scheduler says when its next reminder is due."""

    def __init__(
        self,
        app: LeagueApp,
        clock: ManualClock | OffsetClock,
        *,
        on_advance: Callable[[timedelta], None] | None = None,
    ) -> None:
        self._app = app
        self._clock = clock
        self._on_advance = on_advance

    @property
    def timezone(self) -> str | None:
        """The zone the bot shows times in."""
        return self._app.bot_data.settings.bot.timezone

    def now(self) -> datetime:
        """The bot's time."""
        return self._clock.now()

    async def advance(self, delta: timedelta) -> None:
        """Moves the bot's clock (which wakes its scheduler and sender), then waits until the
        reminders that fell due are handled and their messages are out."""
        self._clock.advance(delta)
        if self._on_advance is not None:
            self._on_advance(delta)
        engines = self._app.bot_data
        try:
            await engines.scheduler.wait_idle()
            await engines.delivery.wait_idle(within=SETTLE_SECONDS)
        except TimeoutError:
            # A long broadcast keeps going; the page shows its messages as they arrive.
            _LOGGER.info("the bot is still busy after the clock moved")

    async def next_due(self) -> datetime | None:
        """When the scheduler's next reminder falls due, in the bot's time."""
        scheduler = self._app.bot_data.scheduler
        try:
            # A round of the scheduler ends by looking up the next reminder.
            await scheduler.wait_idle()
        except TimeoutError:
            return None
        return scheduler.next_due


def read_clock_offset(path: Path) -> timedelta:
    """How far a previous run moved the demo clock ahead (time never runs back for the data)."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        return timedelta(seconds=max(float(path.read_text(encoding="utf-8")), 0.0))
    return timedelta(0)


def prepare_data_dir(data_dir: Path, *, fresh: bool) -> Path:
    """Makes the folder of the demo database and, for --fresh, removes the old database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "leaguebot.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        (data_dir / CLOCK_FILE).unlink(missing_ok=True)
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
    clock_file = data_dir / CLOCK_FILE
    clock = OffsetClock(read_clock_offset(clock_file))

    def remember_offset(_: timedelta) -> None:
        clock_file.write_text(f"{clock.offset.total_seconds():.3f}\n", encoding="utf-8")

    try:
        await add_demo_people(client)
        added = await seed_demo(db_path)
        ignored = sorted(name for name in os.environ if name.upper().startswith(ENV_PREFIX))
        if ignored:
            print(
                f"sandbox: ignoring {', '.join(ignored)}: the sandbox takes no settings from"
                " the environment (it must never reach a real database or token)",
                file=sys.stderr,
            )
        settings = load_settings(
            None,
            environment=False,
            overrides={
                "telegram": {"token": SANDBOX_TOKEN, "base_url": server.url, "poll_timeout": 10},
                "storage": {"path": str(db_path)},
                "bot": {"admins": [ADMIN_ID]},
                "privacy": {"controller": "示例区团区委", "contact": "团区委办公室（演示数据）"},
            },
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with running_bot(settings, clock=clock) as app:
            server.clock.connect(BotClockBridge(app, clock, on_advance=remember_offset))
            if added:
                await seed_demo_activities(app, clock.now())
            print(banner(server.url, db_path, added, clock.offset), flush=True)
            await stop.wait()
    finally:
        await client.close()
        await server.stop()


def banner(url: str, db_path: Path, added: int, ahead: timedelta = timedelta(0)) -> str:
    """What `leaguebot sandbox` prints once everything runs: the web chat's address first."""
    people = "\n".join(f"    {p.first_name:<8} id {p.user_id}  {p.role}" for p in DEMO_PEOPLE)
    seeded = f"demo org tree created ({added} units)" if added else "existing demo data kept"
    hours = ahead.total_seconds() / 3600
    clock = f"  Demo clock: {hours:.1f} h ahead of real time (--fresh resets it)\n" if hours else ""
    return (
        "\n"
        "leaguebot sandbox is running — no Telegram account or token needed.\n"
        f"  Open the web chat in a browser: {url}/\n"
        "    choose a person, chat as them; several tabs can be different people; the clock\n"
        "    at the top moves time forward (an hour, a day, the next reminder)\n"
        f"  Sandbox Telegram (Bot API + control API): {url}\n"
        f"  Database: {db_path} ({seeded}; --fresh starts over)\n"
        f"{clock}"
        "  Or chat with the bot as a demo person in a second terminal:\n"
        "    .venv/bin/leaguebot chat --as 张晓明\n"
        f"  Demo activities: {DEMO_CAMPAIGN} (/campaigns), {DEMO_TRAINING} (/trainings)\n"
        "  Demo people:\n"
        f"{people}\n"
        "  Stop with Ctrl-C.\n"
    )
