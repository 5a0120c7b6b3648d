"""Broadcast benchmark: how close the delivery engine comes to its configured rate against the
sandbox enforcing Telegram's limits, how many 429s it provokes, and whether memory stays flat.

Run from the repository root: `python -m bench.broadcast [--quick] [--members N] ...`, or every
benchmark at once with `make bench` / `python -m bench [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app import running_bot
from bot.config import ENV_PREFIX, Settings, load_settings
from bot.demo import orgs_path
from bot.domain.broadcasts import Audience
from bot.services.admin.org_import import import_orgs
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer, SandboxSettings
from sandbox.state import Chat, SandboxState, StoredMessage, User, bot_command_entities
from storage.database import Database
from storage.org_units import OrgUnitRepository

TOKEN = "123456789:BENCH-token-for-the-sandbox-only-00000"
# The cadre who broadcasts: a configured admin who has opened the bot (so gets the final report).
AUTHOR_ID = 900_001
# Far above the ids the sandbox hands out itself (1_000_001 upwards).
FIRST_MEMBER_ID = 50_000_001
FULL_RUN_MEMBERS = 100_000
TARGET_RATIO = 0.95
TEXT = (
    "<b>区团委通知</b>：本周六上午九点在青年之家开展志愿服务活动，"
    "请各支部组织团员参加。<i>收到请回复。</i>"
)

_SEED_ACCOUNTS = """
INSERT INTO accounts (telegram_user_id, chat_id, language, reachable, first_seen_at, last_seen_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count)
SELECT :first + i, :first + i, 'zh', 1, :now, :now FROM n
"""
_SEED_AUTHOR = """
INSERT INTO accounts (telegram_user_id, chat_id, language, reachable, first_seen_at, last_seen_at)
VALUES (:author, :author, 'zh', 1, :now, :now)
"""
# Members spread over every branch of the demo district, as a roster import leaves them.
_SEED_MEMBERS = """
INSERT INTO members (telegram_user_id, name, org_unit_id, status, source, review_state,
                     created_at, updated_at)
WITH branches AS (
    SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS total
    FROM org_units WHERE kind = 'branch'
)
SELECT a.telegram_user_id, '团员' || a.telegram_user_id, b.id, 'league_member', 'roster',
       'confirmed', :now, :now
FROM accounts a JOIN branches b ON b.k = a.telegram_user_id % b.total
WHERE a.telegram_user_id >= :first
ORDER BY a.telegram_user_id
"""
_WAITING = "SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'sending')"
_STATE = "SELECT state FROM broadcasts WHERE id = ?"
_SENT = """
SELECT COUNT(*) AS n, MIN(sent_at) AS first, MAX(sent_at) AS last
FROM outbox WHERE broadcast_id = ? AND state = 'sent'
"""

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario:
    """One broadcast: how many members, the engine's pacing and the sandbox's limit."""

    name: str
    members: int
    rate_per_second: float
    concurrency: int
    sandbox_per_second: int


@dataclass(frozen=True)
class Measurement:
    """What one scenario achieved."""

    scenario: Scenario
    sent: int
    send_span_s: float
    http_429: int
    enqueue_s: float
    rss_before_mb: float
    rss_after_mb: float

    @property
    def achieved_rate(self) -> float:
        """Messages per second between the first and the last send."""
        return (self.sent - 1) / self.send_span_s if self.send_span_s > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.achieved_rate / self.scenario.rate_per_second

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_after_mb - self.rss_before_mb


def scenarios(*, members: int, paid_members: int, paid_concurrency: int) -> list[Scenario]:
    """Telegram's default limit (30/s on both sides) and a paid broadcast (1,000/s on both)."""
    return [
        Scenario("default", members, 30.0, 8, 30),
        Scenario("paid", paid_members, 1000.0, paid_concurrency, 1000),
    ]


# --- the sandbox, in its own process: its memory and CPU are not the bot's, as with Telegram


def _serve_sandbox(conn: Connection, settings: dict[str, Any], members: int) -> None:
    """Child process: runs the sandbox with `members` users until the parent says stop."""
    asyncio.run(_sandbox_main(conn, SandboxSettings(**settings), members))


async def _sandbox_main(conn: Connection, settings: SandboxSettings, members: int) -> None:
    server = SandboxServer(settings)
    await server.start()
    try:
        seed_sandbox_users(server.state, user_ids=[AUTHOR_ID])
        seed_sandbox_users(server.state, user_ids=range(FIRST_MEMBER_ID, FIRST_MEMBER_ID + members))
        conn.send(server.url)
        # Any message, or the parent going away, ends the sandbox.
        with contextlib.suppress(EOFError):
            await asyncio.to_thread(conn.recv)
    finally:
        await server.stop()


def seed_sandbox_users(state: SandboxState, *, user_ids: Iterable[int]) -> None:
    """Users who have each written /start to the bot once (Telegram lets a bot write only to
    those), put straight into the state without updates, as if they wrote long ago."""
    bot = state.bot_for_token(TOKEN)
    if bot is None:
        raise ValueError(f"malformed token {TOKEN!r}")
    for user_id in user_ids:
        user, _ = state.add_user(f"团员{user_id}", user_id=user_id)
        chat = state.private_chat(bot, user)
        chat.add_message(_start_message(state, chat, user))


def _start_message(state: SandboxState, chat: Chat, user: User) -> Callable[[int], StoredMessage]:
    def build(message_id: int) -> StoredMessage:
        return StoredMessage(
            message_id=message_id,
            chat=chat,
            sender=user.to_api(),
            from_bot=False,
            date=state.unix_now(),
            text="/start",
            entities=bot_command_entities("/start"),
        )

    return build


class SandboxProcess:
    """A sandbox in a child process (spawned, so nothing of this process is shared); `url` is
    set once it listens."""

    def __init__(self, settings: SandboxSettings, *, members: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, self._child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve_sandbox,
            args=(self._child_conn, settings.model_dump(), members),
            name="bench-sandbox",
            daemon=True,
        )
        self.url = ""

    async def __aenter__(self) -> SandboxProcess:
        self._process.start()
        # Our copy of the child's end must go, or a crashed child would never read as EOF.
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

    async def http_429(self) -> int:
        """How many times the sandbox answered 429 Too Many Requests."""
        async with SandboxClient(self.url) as client:
            activity = await client.activity()
        return int(activity["errors"].get("429", 0))


# --- memory


def reset_peak_rss() -> bool:
    """Starts a new peak (Linux: writing 5 to clear_refs resets the high-water mark that
    getrusage reports), so each scenario's peak is its own; False where that is impossible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far: getrusage(RUSAGE_SELF).ru_maxrss."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- the bot


@contextlib.contextmanager
def _without_leaguebot_environment() -> Iterator[None]:
    """A developer's LEAGUEBOT_* variables (a real database, a real token) must not reach the
    benchmark's bot."""
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith(ENV_PREFIX)}
    try:
        yield
    finally:
        os.environ.update(saved)


def bot_settings(scenario: Scenario, *, base_url: str, db_path: Path) -> Settings:
    """The bot's settings for a scenario; quiet hours are off so the time of day cannot matter."""
    with _without_leaguebot_environment():
        return load_settings(
            None,
            overrides={
                "telegram": {"token": TOKEN, "base_url": base_url},
                "storage": {"path": str(db_path)},
                "bot": {"admins": [AUTHOR_ID], "error_report_interval": 0},
                "delivery": {
                    "rate_per_second": scenario.rate_per_second,
                    "concurrency": scenario.concurrency,
                    "quiet_start": "00:00",
                    "quiet_end": "00:00",
                },
                "digest": {"enabled": False},
            },
        )


async def seed_bot(db: Database, *, members: int) -> int:
    """The demo district, the author's account and `members` members who opened the bot, in
    bulk SQL (the registration journey per member would take hours); returns the district."""
    now = datetime.now(UTC)
    units = OrgUnitRepository(db)
    await import_orgs(repo=units, path=orgs_path(), now=now)
    params = {"count": members, "first": FIRST_MEMBER_ID, "now": now.isoformat()}
    async with db.transaction() as tx:
        await tx.execute(_SEED_AUTHOR, {"author": AUTHOR_ID, "now": now.isoformat()})
        if members:
            await tx.execute(_SEED_ACCOUNTS, params)
            await tx.execute(_SEED_MEMBERS, params)
    [district] = await units.children(parent_id=None)
    return district.id


async def wait_until_done(db: Database, *, broadcast_id: int, scenario: Scenario) -> None:
    """Polls until the broadcast is done and nothing waits (its final report included)."""
    deadline = time.monotonic() + scenario.members / scenario.rate_per_second * 4 + 60
    last_report = time.monotonic()
    while True:
        row = await db.fetch_one(_WAITING)
        waiting = int(row["n"]) if row else 0
        state = await db.fetch_one(_STATE, (broadcast_id,))
        if waiting == 0 and state is not None and state["state"] == "done":
            return
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"{scenario.name}: {waiting} message(s) still waiting")
        if now - last_report >= 30:
            _LOGGER.warning("%s: %d of %d still to send", scenario.name, waiting, scenario.members)
            last_report = now
        await asyncio.sleep(0.25)


async def _sent(db: Database, broadcast_id: int) -> tuple[int, float]:
    """How many of the broadcast were sent, and the seconds from the first to the last."""
    row = await db.fetch_one(_SENT, (broadcast_id,))
    if row is None or not row["n"]:
        return 0, 0.0
    span = datetime.fromisoformat(row["last"]) - datetime.fromisoformat(row["first"])
    return int(row["n"]), span.total_seconds()


async def run_scenario(scenario: Scenario, *, workdir: Path) -> Measurement:
    """Sandbox and bot from scratch, N members, one broadcast to all of them, measured."""
    sandbox_settings = SandboxSettings(global_per_second=scenario.sandbox_per_second)
    db_path = workdir / f"{scenario.name}.db"
    async with SandboxProcess(sandbox_settings, members=scenario.members) as sandbox:
        settings = bot_settings(scenario, base_url=sandbox.url, db_path=db_path)
        # A second connection, as an operator's would be: seeding and watching the outbox.
        async with Database(db_path) as db:
            await db.migrate()
            district = await seed_bot(db, members=scenario.members)
            reset_peak_rss()
            async with running_bot(settings, poll_timeout=1) as app:
                rss_before = peak_rss_mb()
                started = time.monotonic()
                # What 确认 in the /broadcast wizard does: one INSERT … SELECT, one transaction.
                broadcast = await app.bot_data.services.broadcasts.launch.create(
                    AUTHOR_ID, text_html=TEXT, audience=Audience(unit_id=district)
                )
                enqueue_s = time.monotonic() - started
                if broadcast.recipients != scenario.members:
                    raise RuntimeError(
                        f"enqueued {broadcast.recipients} of {scenario.members} members"
                    )
                await wait_until_done(db, broadcast_id=broadcast.id, scenario=scenario)
                rss_after = peak_rss_mb()
            sent, span = await _sent(db, broadcast.id)
        http_429 = await sandbox.http_429()
    return Measurement(
        scenario=scenario,
        sent=sent,
        send_span_s=span,
        http_429=http_429,
        enqueue_s=enqueue_s,
        rss_before_mb=rss_before,
        rss_after_mb=rss_after,
    )


async def library_floor(*, messages: int, concurrency: int) -> float:
    """sendMessage per second of a bare python-telegram-bot Bot, unpaced, the sandbox's limits
    off: the most any PTB sender gets out of this machine, to read the paid ratio against."""
    async with SandboxProcess(SandboxSettings(enforce_limits=False), members=messages) as sandbox:
        # The pool ApplicationBuilder gives the application's bot.
        bot = Bot(
            TOKEN, base_url=f"{sandbox.url}/bot", request=HTTPXRequest(connection_pool_size=256)
        )
        chats = iter(range(FIRST_MEMBER_ID, FIRST_MEMBER_ID + messages))

        async def sender() -> None:
            for chat_id in chats:
                await bot.send_message(chat_id=chat_id, text=TEXT, parse_mode="HTML")

        async with bot:
            started = time.monotonic()
            await asyncio.gather(*(sender() for _ in range(concurrency)))
            elapsed = time.monotonic() - started
    return messages / elapsed


# --- report


@dataclass(frozen=True)
class Report:
    """Everything one run measured."""

    default: Measurement
    paid: Measurement
    floor_per_second: float
    peak_reset: bool

    @property
    def measurements(self) -> list[Measurement]:
        return [self.default, self.paid]

    @property
    def paid_floor_ratio(self) -> float:
        """The paid run's rate as a share of what the bare library achieved."""
        return self.paid.achieved_rate / self.floor_per_second if self.floor_per_second else 0.0

    def full_run(self) -> str:
        """How long 100,000 members take at the default rate: measured if this was that run."""
        default = self.default
        if default.scenario.members >= FULL_RUN_MEMBERS:
            return f"measured, {default.send_span_s / 60:.1f} min for {default.sent:,} members"
        if default.achieved_rate <= 0:
            return "unknown (nothing was sent)"
        minutes = FULL_RUN_MEMBERS / default.achieved_rate / 60
        return f"about {minutes:.0f} min (extrapolated from {default.achieved_rate:.2f}/s above)"

    def result_line(self) -> str:
        figures = {
            "rate_ratio": f"{self.default.ratio:.3f}",
            "rate_ratio_paid": f"{self.paid.ratio:.3f}",
            "peak_rss_mb": f"{max(m.rss_after_mb for m in self.measurements):.0f}",
            "http_429": str(sum(m.http_429 for m in self.measurements)),
            "rss_growth_mb": f"{max(m.rss_growth_mb for m in self.measurements):.1f}",
            "paid_floor_ratio": f"{self.paid_floor_ratio:.3f}",
        }
        return "RESULT " + " ".join(f"{name}={value}" for name, value in figures.items())

    def render(self) -> str:
        """The table, the notes that say how to read it, and the RESULT line."""
        lines = [
            f"{'scenario':<9}{'members':>9}{'config/s':>10}{'achieved/s':>12}{'ratio':>8}"
            f"{'429s':>6}{'sent':>9}{'enqueue s':>11}{'RSS before MB':>15}"
            f"{'RSS after MB':>14}{'growth MB':>11}"
        ]
        for m in self.measurements:
            lines.append(
                f"{m.scenario.name:<9}{m.scenario.members:>9,}"
                f"{m.scenario.rate_per_second:>10.0f}{m.achieved_rate:>12.2f}{m.ratio:>8.3f}"
                f"{m.http_429:>6}{m.sent:>9,}{m.enqueue_s:>11.3f}{m.rss_before_mb:>15.1f}"
                f"{m.rss_after_mb:>14.1f}{m.rss_growth_mb:>+11.1f}"
            )
        default, paid = self.default, self.paid
        met = default.ratio >= TARGET_RATIO and default.http_429 == 0
        peak = "reset per scenario" if self.peak_reset else "cumulative over the run"
        lines += [
            f"ratio: sent per second between the first and the last send (outbox sent_at) over"
            f" the configured rate; default engine concurrency {default.scenario.concurrency},"
            f" paid {paid.scenario.concurrency}",
            f"RSS: peak resident set of this process, getrusage ru_maxrss ({peak}), before the"
            " broadcast is enqueued and after it is delivered; the sandbox is a child process"
            " and not counted",
            f"library floor: a bare PTB Bot.send_message, {paid.scenario.concurrency} at a time,"
            f" limits off, gets {self.floor_per_second:.0f}/s here; the paid run reached"
            f" {self.paid_floor_ratio:.2f} of that",
            f"target (ratio >= {TARGET_RATIO}, no 429 at default settings): "
            + ("met" if met else "MISSED"),
            f"full run, {FULL_RUN_MEMBERS:,} members at {default.scenario.rate_per_second:.0f}/s:"
            f" {self.full_run()}",
            self.result_line(),
        ]
        return "\n".join(lines)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.broadcast",
        description="A broadcast to N sandbox members at the default 30/s and a paid 1,000/s.",
    )
    parser.add_argument("--quick", action="store_true", help="600 + 5,000 members, under a minute")
    parser.add_argument(
        "--members", type=_positive, help="members at the default 30/s (full 6,000, quick 600)"
    )
    parser.add_argument(
        "--paid-members",
        type=_positive,
        help="members at the paid 1,000/s (full 100,000, quick 5,000)",
    )
    parser.add_argument(
        "--paid-concurrency",
        type=_positive,
        default=16,
        help="delivery.concurrency of the paid run (default 16; the default setting is 8)",
    )
    return parser


async def _run(args: argparse.Namespace, *, peak_reset: bool) -> Report:
    members = args.members if args.members is not None else (600 if args.quick else 6_000)
    paid_members = args.paid_members
    if paid_members is None:
        paid_members = 5_000 if args.quick else FULL_RUN_MEMBERS
    default, paid = scenarios(
        members=members, paid_members=paid_members, paid_concurrency=args.paid_concurrency
    )
    with tempfile.TemporaryDirectory(prefix="leaguebot-bench-") as workdir:
        measured_default = await run_scenario(default, workdir=Path(workdir))
        measured_paid = await run_scenario(paid, workdir=Path(workdir))
    floor = await library_floor(
        messages=max(min(paid_members, 2_000 if args.quick else 10_000), 1),
        concurrency=args.paid_concurrency,
    )
    return Report(measured_default, measured_paid, floor, peak_reset)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs both scenarios one after the other and prints the table and the RESULT line."""
    args = _parser().parse_args(argv)
    report = asyncio.run(_run(args, peak_reset=reset_peak_rss()))
    print(report.render(), flush=True)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
