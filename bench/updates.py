"""Update benchmark: how many updates a second the bot handles and how soon each member sees an
answer, next to a bare python-telegram-bot echo bot on the same sandbox in the same run; then
the same load while one cadre exports the whole district's member roster.

Simulated members register, sign up for a training and cancel, and open the 推优 screens
(campaign, eligibility check, their nominations) against a database of 100,000 members
(`--quick`: 10,000), seeded in bulk. The sandbox runs in a child process together with the
simulated members, so that neither costs the bot's CPU; it stamps when it hands an update to a
bot (getUpdates) and when that bot first sends or edits a message in the update's chat, and
the latency is the time between the two. The echo bot receives the same kinds of updates (a
text for every text, a button press for every press) and answers each with one message or one
edit; it runs the same PTB polling with the same concurrency, so it is the floor the library
sets.

Phases, each measured after a warm-up: both bots saturated by N members acting as fast as they
are answered (updates per second); then, in alternating rounds, both bots at the same paced
load, half of what the bot managed saturated (p50/p99 latency), and the bot at that load while
the admin exports the members file again and again (the others' p99). The paced phases of all
rounds are pooled: a p99 of one 15-second phase rests on its fifteen slowest answers, and moves
by a fifth from one run to the next on this machine.

Run from the repository root: `python -m bench.updates [--quick]`, or every benchmark with
`make bench` / `python -m bench [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as ptb_filters

from bench.broadcast import _without_leaguebot_environment
from bot.app import running_bot
from bot.config import Settings, load_settings
from bot.demo import orgs_path
from bot.domain.nominations.campaigns import CampaignKind, preset
from bot.services.admin.org_import import import_orgs
from sandbox.server import SandboxServer, SandboxSettings
from sandbox.state import Bot, Chat, SandboxState, UpdateRecord, User
from storage.database import Database
from storage.org_units import OrgUnitRepository

TOKEN = "123456789:BENCH-token-for-the-update-run-only-00"
ECHO_TOKEN = "987654321:ECHO-token-for-the-update-run-only-000"
ADMIN_ID = 900_001
FIRST_MEMBER_ID = 50_000_001
FIRST_NEWCOMER_ID = 70_000_001
MEMBERS_PER_BRANCH = 500
TRAINING = "2030年团校第一期"
CAMPAIGN = "2026年度推优入党积极分子"
# Targets of the issue: throughput at least this share of the echo bot's, p99 at most this
# multiple of the echo bot's, and the others' p99 growing at most this much during an export.
TARGET_THROUGHPUT = 0.6
TARGET_P99 = 3.0
TARGET_EXPORT_GROWTH = 1.5
# How long a member waits for an answer before giving up on the step (counted as a miss).
ANSWER_TIMEOUT_S = 30.0
EXPORT_TIMEOUT_S = 300.0

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Size:
    """How big a run is: the database, the members who saturate a bot, those who share the
    paced load, and how long each phase lasts."""

    members: int
    users: int
    seconds: float
    warmup: float
    paced_users: int = 100
    # rounds of the three paced phases (echo bot, bot, bot with the export)
    rounds: int = 2

    @property
    def phase_members(self) -> int:
        """Members each phase has to itself (one that stopped half-way leaves its training
        behind)."""
        return max(self.users, self.paced_users)

    @property
    def phases(self) -> int:
        return 2 + 3 * self.rounds


FULL = Size(members=100_000, users=40, seconds=15.0, warmup=3.0)
QUICK = Size(members=10_000, users=40, seconds=5.0, warmup=1.0, rounds=1)


# --- the database, in bulk ---------------------------------------------------------------------

_BRANCHES = """
INSERT INTO org_units (parent_id, kind, code, name, path, sort_order, created_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),
parents AS (
    SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS total
    FROM org_units WHERE kind IN ('street', 'committee')
)
SELECT p.id, 'branch', printf('B%05d', n.i), printf('第%d团支部', n.i + 1),
       printf('pending:%d', n.i), 100 + n.i, :now
FROM n JOIN parents p ON p.k = n.i % p.total
"""
_BRANCH_PATHS = """
UPDATE org_units SET path = (SELECT p.path FROM org_units p WHERE p.id = org_units.parent_id)
    || id || '/'
WHERE path LIKE 'pending:%'
"""
# Every member has opened the bot (an account) and is a confirmed League member who qualifies
# for 推优: 18-28 years old, in the League since 2015, a Party application from last year.
_ACCOUNTS = """
INSERT INTO accounts (telegram_user_id, chat_id, language, reachable, first_seen_at, last_seen_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count)
SELECT :first + i, :first + i, 'zh', 1, :now, :now FROM n
"""
_MEMBERS = """
INSERT INTO members (telegram_user_id, name, phone, birth_date, org_unit_id, status,
                     league_join_date, party_application_date, source, review_state,
                     consent_at, created_at, updated_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),
branches AS (
    SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS total
    FROM org_units WHERE kind = 'branch'
)
SELECT :first + n.i, '团员' || n.i, printf('139%08d', n.i),
       date(:today, printf('-%d years', 18 + n.i % 10), printf('-%d days', n.i % 365)),
       b.id, 'league_member', '2015-05-04', '2025-01-01', 'roster', 'confirmed', :now, :now, :now
FROM n JOIN branches b ON b.k = n.i % b.total
"""
_ADMIN_ACCOUNT = """
INSERT INTO accounts (telegram_user_id, chat_id, language, reachable, first_seen_at, last_seen_at)
VALUES (:admin, :admin, 'zh', 1, :now, :now)
"""
# Twenty trainings open to the whole district; the first is the one members sign up for.
_TRAININGS = """
INSERT INTO trainings (title, description, starts_at, ends_at, place, capacity, hours_tenths,
                       audience_unit_id, signup_deadline, checkin_token, created_by,
                       created_at, updated_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 20)
SELECT CASE WHEN i = 0 THEN :title ELSE printf('2030年团校第%d期', i + 1) END, '学习团章',
       strftime(:iso, :now, printf('+%d days', 400 + i)),
       strftime(:iso, :now, printf('+%d days', 400 + i), '+2 hours'), '区青少年宫', 1000000, 20,
       (SELECT id FROM org_units WHERE kind = 'district'),
       strftime(:iso, :now, printf('+%d days', 399 + i)), printf('bench-%d', i), :admin, :now, :now
FROM n
"""
# Places taken by members who are not simulated, so the counts are not all zero.
_ENROLMENTS = """
INSERT OR IGNORE INTO enrolments (training_id, member_id, state, queue_seq, created_at,
                                  updated_at)
WITH RECURSIVE k (j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < 200)
SELECT t.id, :members - k.j, 'enrolled', k.j + 1, :now, :now FROM trainings t, k
"""
_CAMPAIGN = """
INSERT INTO campaigns (kind, title, rules, opens_at, closes_at, scope_unit_id, created_by,
                       created_at, updated_at)
VALUES ('activist', :title, :rules, strftime(:iso, :now, '-1 days'),
        strftime(:iso, :now, '+30 days'),
        (SELECT id FROM org_units WHERE kind = 'district'), :admin, :now, :now)
"""


async def build(path: Path, *, members: int, now: datetime) -> None:
    """The demo district with one branch per 500 members, `members` members who opened the
    bot, twenty trainings and an open 推优 campaign: bulk SQL, seconds for 100,000."""
    async with Database(path) as db:
        await db.migrate()
        await import_orgs(repo=OrgUnitRepository(db), path=orgs_path(), now=now)
        params: dict[str, Any] = {
            "now": now.isoformat(),
            "today": now.date().isoformat(),
            "admin": ADMIN_ID,
            "first": FIRST_MEMBER_ID,
            "count": members,
            # Times as the bot stores them: ISO 8601 in UTC, with the offset.
            "iso": "%Y-%m-%dT%H:%M:%S+00:00",
        }
        async with db.transaction() as tx:
            await tx.execute(_BRANCHES, {**params, "count": max(1, members // MEMBERS_PER_BRANCH)})
            await tx.execute(_BRANCH_PATHS)
            await tx.execute(_ACCOUNTS, params)
            await tx.execute(_MEMBERS, params)
            await tx.execute(_ADMIN_ACCOUNT, params)
            await tx.execute(_TRAININGS, {**params, "title": TRAINING})
            await tx.execute(_ENROLMENTS, {**params, "members": members})
            rules = preset(CampaignKind.ACTIVIST).model_dump_json()
            await tx.execute(_CAMPAIGN, {**params, "title": CAMPAIGN, "rules": rules})
        await db.execute("ANALYZE")


# --- what the simulated members do ------------------------------------------------------------
#
# A step is an action and how many messages or edits the bot answers it with. The member waits
# for all of them before the next step, so that every answer is counted for the update that
# caused it; the latency is the first one's.


@dataclass(frozen=True)
class Step:
    """Send `text`, or press the button labelled `press` (or starting with `prefix`) on the
    newest message that has it; `answers` messages or edits come back."""

    answers: int
    text: str = ""
    press: str = ""
    prefix: str = ""
    # how long the member waits for the answers before the step counts as a miss
    timeout: float = ANSWER_TIMEOUT_S


def text(value: str, answers: int = 1) -> Step:
    return Step(answers, text=value)


def press(label: str, answers: int = 1) -> Step:
    return Step(answers, press=label)


def first(prefix: str, answers: int = 1) -> Step:
    return Step(answers, prefix=prefix)


# The screens and the answers the bot gives on each (read off a run with the sandbox).
REGISTRATION = (
    text("/start"),
    press("✅ 同意并继续", 2),
    text("{phone}", 2),
    text("{name}"),
    text("2001-05-04"),
    press("📂 东湖街道团工委"),
    press("湖滨社区团支部", 2),
    press("共青团员", 2),
    text("2016-05-04"),
    press("✅ 确认提交", 2),
)
SIGN_UP = (
    text("/trainings"),
    first("1. "),
    # The page again, a message and the calendar file.
    press("✍️ 报名", 3),
    text("/mytrainings"),
    text("/trainings"),
    first("1. "),
    press("取消报名"),
    press("确定取消"),
)
NOMINATION_SCREENS = (
    text("/campaigns"),
    first("1. "),
    press("🔍 检查资格"),
    text("/nominations"),
)
# The file of 100,000 members takes half a minute or more to build in the background.
EXPORT = (text("/export"), Step(1, press="👥 团员名册", timeout=EXPORT_TIMEOUT_S))
JOURNEYS = {"registration": REGISTRATION, "sign_up": SIGN_UP, "nominations": NOMINATION_SCREENS}


@dataclass(frozen=True)
class LoadSpec:
    """One measured phase: which bot, how many members, saturated or at a paced rate."""

    token: str
    echo: bool
    users: int
    seconds: float
    warmup: float
    rate: float | None = None
    export: bool = False
    # Each phase has members of its own: one that stopped half-way leaves its training behind.
    first_member: int = 0


@dataclass
class LoadResult:
    """What a phase measured: the latencies (seconds) of the updates handed out inside the
    window, the exports the admin completed, and the steps that went wrong."""

    latencies: list[float] = field(default_factory=list)
    by_journey: dict[str, list[float]] = field(default_factory=dict)
    exports: list[float] = field(default_factory=list)
    misses: int = 0
    window: float = 0.0
    # CPU seconds per wall second over the whole phase: the sandbox's (with the members) and
    # the bot's process, to see which of the two is saturated.
    sandbox_cpu: float = 0.0
    bot_cpu: float = 0.0
    # Bot API requests the bot made during the phase, getUpdates apart, by method.
    requests: dict[str, int] = field(default_factory=dict)
    updates_answered: int = 0

    @property
    def requests_per_update(self) -> float:
        sent = sum(n for method, n in self.requests.items() if method != "getUpdates")
        return sent / self.updates_answered if self.updates_answered else 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.window if self.window else 0.0

    def percentile(self, share: float) -> float:
        return percentile(self.latencies, share)


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` quantile (0.5, 0.99) by the nearest rank; 0 without values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class ScriptFailed(Exception):
    """The member could not take a step: a button was not there, or no answer came."""


class Member:
    """One simulated member in the sandbox process, acting through the sandbox's state."""

    def __init__(self, load: Load, user: User) -> None:
        self.load = load
        self.user = user

    def chat(self) -> Chat:
        return self.load.state.private_chat(self.load.bot, self.user)

    def _button(self, step: Step) -> tuple[int, str]:
        for message in reversed(self.chat().messages):
            if not message.from_bot or message.deleted:
                continue
            for row in (message.inline_markup or {}).get("inline_keyboard", []):
                for button in row:
                    label = str(button.get("text", ""))
                    data = button.get("callback_data")
                    if data is None:
                        continue
                    if (
                        self.load.echo
                        or label == step.press
                        or (step.prefix and label.startswith(step.prefix))
                    ):
                        return message.message_id, str(data)
        raise ScriptFailed(f"no button {step.press or step.prefix!r} for {self.user.id}")

    async def take(self, step: Step, values: dict[str, str]) -> tuple[float, float]:
        """Takes one step and waits for all of its answers; returns when the update was handed
        to the bot and how long the first answer took."""
        state, bot = self.load.state, self.load.bot
        before = self.chat().answers
        record: UpdateRecord
        if step.text:
            _, record = state.user_sends_text(bot, self.user, step.text.format(**values))
        else:
            message_id, data = self._button(step)
            _, record = state.user_presses(
                bot, self.user, message_id, data, forge=False, chat_id=None
            )
        answers = 1 if self.load.echo else step.answers
        try:
            await asyncio.wait_for(
                state.answers_reach(bot, self.user.id, before + answers), step.timeout
            )
        except TimeoutError:
            raise ScriptFailed(f"no answer to {step} for {self.user.id}") from None
        assert record.handed_out_at is not None and record.answered_at is not None
        return record.handed_out_at, record.answered_at - record.handed_out_at


class Load:
    """The simulated members of one phase, in the sandbox process."""

    def __init__(self, state: SandboxState, spec: LoadSpec, *, members: int, seed: int) -> None:
        self.state = state
        self.spec = spec
        self.echo = spec.echo
        bot = state.bot_for_token(spec.token)
        assert bot is not None
        self.bot: Bot = bot
        self.members = members
        self.rng = random.Random(seed)
        self.result = LoadResult()
        self.started = self.deadline = 0.0
        self._tickets: asyncio.Queue[None] = asyncio.Queue()
        self._newcomers = iter(range(FIRST_NEWCOMER_ID + seed * 1_000_000, 10**12))

    def measuring(self, at: float) -> bool:
        start = self.started + self.spec.warmup
        return start <= at < start + self.spec.seconds

    def newcomer(self) -> tuple[User, dict[str, str]]:
        user_id = next(self._newcomers)
        user, _ = self.state.add_user(f"新人{user_id}", user_id=user_id)
        values = {"phone": f"137{user_id % 100_000_000:08d}", "name": f"新人{user_id % 100_000}"}
        return user, values

    async def _walk(self, member: Member, journey: str, values: dict[str, str]) -> None:
        for step in JOURNEYS[journey]:
            await self._paced()
            handed_out, latency = await member.take(step, values)
            self.result.updates_answered += 1
            if self.measuring(handed_out):
                self.result.latencies.append(latency)
                self.result.by_journey.setdefault(journey, []).append(latency)

    async def _paced(self) -> None:
        if self.spec.rate is not None and self.state.monotonic() < self.deadline:
            await self._tickets.get()

    async def _member_loop(self, number: int, deadline: float) -> None:
        user_id = FIRST_MEMBER_ID + self.spec.first_member + number
        user, _ = self.state.add_user(f"团员{number}", user_id=user_id)
        member = Member(self, user)
        journeys = list(JOURNEYS)
        turn = number % len(journeys)
        while self.state.monotonic() < deadline:
            journey = journeys[turn % len(journeys)]
            turn += 1
            try:
                if journey == "registration":
                    newcomer, values = self.newcomer()
                    await self._walk(Member(self, newcomer), journey, values)
                else:
                    await self._walk(member, journey, {})
            except ScriptFailed as exc:
                self.result.misses += 1
                _LOGGER.warning("%s", exc)

    async def _exports(self, deadline: float) -> None:
        user, _ = self.state.add_user("区团委管理员", user_id=ADMIN_ID)
        admin = Member(self, user)
        while self.state.monotonic() < deadline:
            started = self.state.monotonic()
            try:
                for step in EXPORT:
                    await admin.take(step, {})
                    self.result.updates_answered += 1
            except ScriptFailed as exc:
                self.result.misses += 1
                _LOGGER.warning("%s", exc)
                continue
            self.result.exports.append(self.state.monotonic() - started)

    async def _tickets_at(self, rate: float, deadline: float) -> None:
        """Poisson arrivals: a member acts when given a ticket."""
        while self.state.monotonic() < deadline:
            await asyncio.sleep(self.rng.expovariate(rate))
            self._tickets.put_nowait(None)

    async def run(self) -> LoadResult:
        spec = self.spec
        self.started = self.state.monotonic()
        self.deadline = deadline = self.started + spec.warmup + spec.seconds
        tasks = [
            asyncio.create_task(self._member_loop(number, deadline)) for number in range(spec.users)
        ]
        if spec.rate is not None:
            tasks.append(asyncio.create_task(self._tickets_at(spec.rate, deadline)))
        if spec.export:
            tasks.append(asyncio.create_task(self._exports(deadline)))
        # Members still waiting for an answer at the deadline finish that step, then stop;
        # a paced member waiting for a ticket is released.
        await asyncio.sleep(max(0.0, deadline - self.state.monotonic()))
        for _ in range(spec.users):
            self._tickets.put_nowait(None)
        await asyncio.gather(*tasks)
        self.result.window = spec.seconds
        return self.result


async def _measured(load: Load) -> LoadResult:
    """Runs a phase and notes the CPU the sandbox process spent per second of it, and the
    requests the bot made per update it answered."""
    cpu, wall = time.process_time(), time.monotonic()
    by_method = dict(load.state.activity.by_method)
    result = await load.run()
    result.sandbox_cpu = (time.process_time() - cpu) / (time.monotonic() - wall)
    result.requests = {
        method: n - by_method.get(method, 0)
        for method, n in load.state.activity.by_method.items()
        if n > by_method.get(method, 0)
    }
    return result


# --- the sandbox and the members, in a child process -------------------------------------------


def _serve(conn: Connection, settings: dict[str, Any], members: int) -> None:
    """Child process: the sandbox, and the simulated members on the parent's command."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve_main(conn, SandboxSettings(**settings), members))


async def _serve_main(conn: Connection, settings: SandboxSettings, members: int) -> None:
    server = SandboxServer(settings)
    await server.start()
    try:
        conn.send(server.url)
        phase = 0
        while True:
            try:
                command = await asyncio.to_thread(conn.recv)
            except EOFError:
                return
            if command == "stop":
                return
            phase += 1
            spec = LoadSpec(**command)
            result = await _measured(Load(server.state, spec, members=members, seed=phase))
            conn.send(asdict(result))
    finally:
        await server.stop()


class LoadProcess:
    """The sandbox with the simulated members, in a spawned child process."""

    def __init__(self, *, members: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._child_conn = child
        settings = SandboxSettings(enforce_limits=False)
        self._process = context.Process(
            target=_serve,
            args=(child, settings.model_dump(), members),
            name="bench-sandbox",
            daemon=True,
        )
        self.url = ""

    async def __aenter__(self) -> LoadProcess:
        self._process.start()
        self._child_conn.close()
        try:
            self.url = await asyncio.to_thread(self._conn.recv)
        except EOFError:
            raise RuntimeError("the sandbox process died while starting") from None
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        await asyncio.to_thread(self._process.join, 10)
        if self._process.is_alive():
            self._process.terminate()
            await asyncio.to_thread(self._process.join, 5)
        self._conn.close()

    async def run(self, spec: LoadSpec) -> LoadResult:
        """Runs one phase in the child and returns what it measured."""
        cpu, wall = time.process_time(), time.monotonic()
        self._conn.send(asdict(spec))
        try:
            data = await asyncio.to_thread(self._conn.recv)
        except EOFError:
            raise RuntimeError("the sandbox process died during a phase") from None
        result = LoadResult(**data)
        result.bot_cpu = (time.process_time() - cpu) / (time.monotonic() - wall)
        return result


# --- the two bots --------------------------------------------------------------------------------


def bot_settings(*, base_url: str, db_path: Path) -> Settings:
    """The bot's settings; quiet hours and the digest off so the time of day cannot matter."""
    with _without_leaguebot_environment():
        return load_settings(
            None,
            overrides={
                "telegram": {"token": TOKEN, "base_url": base_url},
                "storage": {"path": str(db_path)},
                "bot": {"admins": [ADMIN_ID], "error_report_interval": 0},
                "delivery": {"quiet_start": "00:00", "quiet_end": "00:00"},
                "digest": {"enabled": False},
                "logging": {"level": "WARNING"},
            },
        )


async def _echo_text(update: Update, context: Any) -> None:
    """Answers every message with one message carrying one button."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(message.text or "👍", reply_markup=_AGAIN)


async def _echo_press(update: Update, context: Any) -> None:
    """Answers every press, and edits the message it was on."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"pressed {update.update_id}", reply_markup=_AGAIN)


_AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])


@contextlib.asynccontextmanager
async def echo_bot(base_url: str, *, poll_timeout: int) -> AsyncIterator[None]:
    """A bare PTB echo bot polling the sandbox, with the bot's concurrency (256 updates)."""
    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(ECHO_TOKEN)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .concurrent_updates(256)
        .build()
    )
    app.add_handler(MessageHandler(ptb_filters.ALL, _echo_text))
    app.add_handler(CallbackQueryHandler(_echo_press))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


# --- the run -------------------------------------------------------------------------------------

# The paced load is this share of what the bot managed saturated.
PACED_SHARE = 0.5
POLL_TIMEOUT = 10


def pooled(results: Sequence[LoadResult]) -> LoadResult:
    """The rounds of one kind of phase as one: their samples together, their CPU shares
    averaged."""
    total = LoadResult()
    for result in results:
        total.latencies += result.latencies
        for journey, latencies in result.by_journey.items():
            total.by_journey.setdefault(journey, []).extend(latencies)
        total.exports += result.exports
        total.misses += result.misses
        total.window += result.window
        for method, n in result.requests.items():
            total.requests[method] = total.requests.get(method, 0) + n
        total.updates_answered += result.updates_answered
    if results:
        total.sandbox_cpu = statistics.mean(result.sandbox_cpu for result in results)
        total.bot_cpu = statistics.mean(result.bot_cpu for result in results)
    return total


@dataclass(frozen=True)
class Report:
    """Every phase's figures, and the ratios the targets are about; the paced phases pooled
    over their rounds, which are kept to show how much each round's ratio moved."""

    size: Size
    rate: float
    bot_saturated: LoadResult
    echo_saturated: LoadResult
    paced_rounds: list[tuple[LoadResult, LoadResult, LoadResult]]

    @functools.cached_property
    def echo_paced(self) -> LoadResult:
        return pooled([echo for echo, _, _ in self.paced_rounds])

    @functools.cached_property
    def bot_paced(self) -> LoadResult:
        return pooled([bot for _, bot, _ in self.paced_rounds])

    @functools.cached_property
    def bot_export(self) -> LoadResult:
        return pooled([export for _, _, export in self.paced_rounds])

    def round_ratios(self) -> list[tuple[float, float]]:
        """Each round's own p99 ratio and export growth."""
        ratios = []
        for echo, bot, export in self.paced_rounds:
            alone = bot.percentile(0.99)
            ratios.append(
                (
                    alone / echo.percentile(0.99) if echo.latencies else 0.0,
                    export.percentile(0.99) / alone if alone else 0.0,
                )
            )
        return ratios

    @property
    def results(self) -> list[LoadResult]:
        return [
            self.bot_saturated,
            self.echo_saturated,
            self.bot_paced,
            self.echo_paced,
            self.bot_export,
        ]

    @property
    def throughput_ratio(self) -> float:
        echo = self.echo_saturated.throughput
        return self.bot_saturated.throughput / echo if echo else 0.0

    @property
    def p99_ratio(self) -> float:
        echo = self.echo_paced.percentile(0.99)
        return self.bot_paced.percentile(0.99) / echo if echo else 0.0

    @property
    def export_growth(self) -> float:
        alone = self.bot_paced.percentile(0.99)
        return self.bot_export.percentile(0.99) / alone if alone else 0.0

    def result_line(self) -> str:
        figures = {
            "throughput_ratio": f"{self.throughput_ratio:.2f}",
            "p99_ratio": f"{self.p99_ratio:.2f}",
            "export_p99_growth": f"{self.export_growth:.2f}",
            "members": str(self.size.members),
            "bot_updates_per_s": f"{self.bot_saturated.throughput:.0f}",
            "echo_updates_per_s": f"{self.echo_saturated.throughput:.0f}",
            "paced_per_s": f"{self.rate:.0f}",
            "bot_p99_ms": f"{self.bot_paced.percentile(0.99) * 1000:.1f}",
            "echo_p99_ms": f"{self.echo_paced.percentile(0.99) * 1000:.1f}",
            "export_p99_ms": f"{self.bot_export.percentile(0.99) * 1000:.1f}",
            "exports": str(len(self.bot_export.exports)),
            "misses": str(sum(result.misses for result in self.results)),
        }
        return "RESULT " + " ".join(f"{name}={value}" for name, value in figures.items())

    def render(self) -> str:
        rows = [
            ("echo bot", "saturated", self.echo_saturated),
            ("leaguebot", "saturated", self.bot_saturated),
            ("echo bot", f"paced {self.rate:.0f}/s", self.echo_paced),
            ("leaguebot", f"paced {self.rate:.0f}/s", self.bot_paced),
            ("leaguebot", "paced + export", self.bot_export),
        ]
        lines = [
            f"{'bot':<11}{'phase':<17}{'updates':>9}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'misses':>8}{'req/upd':>9}{'bot CPU':>9}{'sandbox CPU':>13}"
        ]
        for name, phase, result in rows:
            lines.append(
                f"{name:<11}{phase:<17}{len(result.latencies):>9,}{result.throughput:>9.1f}"
                f"{result.percentile(0.5) * 1000:>9.1f}{result.percentile(0.99) * 1000:>9.1f}"
                f"{result.misses:>8}{result.requests_per_update:>9.2f}{result.bot_cpu:>9.0%}"
                f"{result.sandbox_cpu:>13.0%}"
            )
        lines.append("leaguebot at the paced load, by journey:")
        for journey, latencies in sorted(self.bot_paced.by_journey.items()):
            p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
            lines.append(
                f"  {journey:<14}{len(latencies):>7,} updates  p50 {p50 * 1000:.1f} ms"
                f"  p99 {p99 * 1000:.1f} ms"
            )
        exports = self.bot_export.exports
        mean = statistics.mean(exports) if exports else 0.0
        by_round = ", ".join(f"{p99:.2f} / {growth:.2f}" for p99, growth in self.round_ratios())
        verdicts = [
            ("throughput", self.throughput_ratio >= TARGET_THROUGHPUT, f">= {TARGET_THROUGHPUT}"),
            ("p99", 0 < self.p99_ratio <= TARGET_P99, f"<= {TARGET_P99}"),
            (
                "export p99 growth",
                0 < self.export_growth <= TARGET_EXPORT_GROWTH,
                f"<= {TARGET_EXPORT_GROWTH}",
            ),
        ]
        lines += [
            f"database: {self.size.members:,} members; {self.size.users} members saturate each"
            f" bot, {self.size.paced_users} share the paced load; {self.size.seconds:g} s"
            f" measured after {self.size.warmup:g} s warm-up per phase; the paced phases pooled"
            f" over {len(self.paced_rounds)} alternating rounds (each round's p99 ratio / export"
            f" growth: {by_round})",
            f"latency: the sandbox hands the update to the bot (getUpdates) -> the bot's first"
            f" message or edit in that chat; exports of {self.size.members:,} members made during"
            f" the export phases: {len(exports)} (mean {mean:.1f} s each)",
            "targets: "
            + "; ".join(
                f"{name} ratio {rule}: {'met' if ok else 'MISSED'}" for name, ok, rule in verdicts
            ),
            self.result_line(),
        ]
        return "\n".join(lines)


async def _run(size: Size) -> Report:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="leaguebot-updates-") as folder:
        db_path = Path(folder) / "updates.db"
        started = time.monotonic()
        await build(db_path, members=size.members, now=now)
        print(f"built {size.members:,} members in {time.monotonic() - started:.1f} s", flush=True)

        def spec(token: str, **fields: Any) -> LoadSpec:
            base: dict[str, Any] = {
                "token": token,
                "echo": token == ECHO_TOKEN,
                "users": size.users,
                "seconds": size.seconds,
                "warmup": size.warmup,
            }
            return LoadSpec(**(base | fields))

        group = size.phase_members
        async with LoadProcess(members=size.members) as load:
            settings = bot_settings(base_url=load.url, db_path=db_path)
            # Both bots run from the start (an idle one only waits in its long poll), so the
            # phases alternate between them and neither comes after the exports' aftermath.
            async with (
                running_bot(settings, poll_timeout=POLL_TIMEOUT),
                echo_bot(load.url, poll_timeout=POLL_TIMEOUT),
            ):
                echo_saturated = await load.run(spec(ECHO_TOKEN, first_member=0))
                bot_saturated = await load.run(spec(TOKEN, first_member=group))
                rate = PACED_SHARE * bot_saturated.throughput
                paced = {"rate": rate, "users": size.paced_users}
                rounds = []
                for number in range(size.rounds):
                    first = (2 + 3 * number) * group
                    echo_paced = await load.run(spec(ECHO_TOKEN, first_member=first, **paced))
                    bot_paced = await load.run(spec(TOKEN, first_member=first + group, **paced))
                    bot_export = await load.run(
                        spec(TOKEN, first_member=first + 2 * group, export=True, **paced)
                    )
                    rounds.append((echo_paced, bot_paced, bot_export))
    return Report(size, rate, bot_saturated, echo_saturated, rounds)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.updates", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 members, 5 s per phase, under a minute"
    )
    parser.add_argument("--members", type=int, help="members in the database")
    parser.add_argument("--users", type=int, help="members saturating each bot (40)")
    parser.add_argument("--paced-users", type=int, help="members sharing the paced load (100)")
    parser.add_argument("--seconds", type=float, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, help="seconds before each phase is measured")
    parser.add_argument("--rounds", type=int, help="rounds of the paced phases (2; --quick: 1)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs every phase and prints the table and the RESULT line."""
    args = _parser().parse_args(argv)
    base = QUICK if args.quick else FULL
    size = Size(
        members=args.members or base.members,
        users=args.users or base.users,
        seconds=args.seconds or base.seconds,
        warmup=base.warmup if args.warmup is None else args.warmup,
        paced_users=args.paced_users or base.paced_users,
        rounds=args.rounds or base.rounds,
    )
    if size.members < size.phases * size.phase_members:
        _parser().error(f"at least {size.phases * size.phase_members} members for these phases")
    print(asyncio.run(_run(size)).render(), flush=True)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
