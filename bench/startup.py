"""Start-up benchmark: how long the bot takes to start and re-arm its reminders when 10,000 are
pending, as a ratio to a bare start-up (no reminders) measured in the same run.

The database holds the source of truth for everything scheduled; at start-up the scheduler reads
what fell due while the bot was down and arms a timer for the next reminder. The measured time
runs from `running_bot` being entered until the scheduler has finished that first round: the
bot polls, and the next reminder is armed. Start-ups alternate between the two databases and
the medians are compared.

Run from the repository root: `python -m bench.startup [--quick]`, or every benchmark with
`make bench` / `python -m bench [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.broadcast import SandboxProcess, _without_leaguebot_environment
from bot.app import running_bot
from bot.config import Settings, load_settings
from bot.demo import orgs_path
from bot.services.admin.org_import import import_orgs
from bot.services.trainings.jobs import KIND_REMINDER
from sandbox.server import SandboxSettings
from storage.database import Database
from storage.org_units import OrgUnitRepository

TOKEN = "123456789:BENCH-token-for-the-startup-run-only-0"
ADMIN_ID = 900_001
REMINDERS = 10_000

# Training reminders spread over the coming year, as a district's trainings leave them; none
# falls due during the run.
_REMINDERS = """
INSERT INTO reminders (kind, target, due_at, payload)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count)
SELECT :kind, printf('%d:%d', 1 + i / 2, 24 - 23 * (i % 2)),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', :now, printf('+%d minutes', 60 + i * 50)), '{}'
FROM n
"""
_PENDING = "SELECT COUNT(*) AS n FROM reminders WHERE state = 'pending' AND kind = ?"


@dataclass(frozen=True)
class Timing:
    """One start-up: until the bot polls, and until the scheduler's first round is done."""

    polling_s: float
    armed_s: float


async def build(path: Path, *, reminders: int, now: datetime) -> None:
    """The demo district and `reminders` pending reminders, in bulk."""
    async with Database(path) as db:
        await db.migrate()
        await import_orgs(repo=OrgUnitRepository(db), path=orgs_path(), now=now)
        if reminders:
            await db.execute(
                _REMINDERS, {"count": reminders, "kind": KIND_REMINDER, "now": now.isoformat()}
            )


def bot_settings(*, base_url: str, db_path: Path) -> Settings:
    with _without_leaguebot_environment():
        return load_settings(
            None,
            overrides={
                "telegram": {"token": TOKEN, "base_url": base_url},
                "storage": {"path": str(db_path)},
                "bot": {"admins": [ADMIN_ID], "error_report_interval": 0},
                "digest": {"enabled": False},
            },
        )


async def start_once(settings: Settings) -> Timing:
    """Starts the bot, waits for the scheduler's first round, stops it."""
    started = time.perf_counter()
    async with running_bot(settings, poll_timeout=1) as app:
        polling = time.perf_counter() - started
        await app.bot_data.scheduler.wait_idle()
        armed = time.perf_counter() - started
    return Timing(polling, armed)


async def pending(path: Path) -> int:
    async with Database(path) as db:
        row = await db.fetch_one(_PENDING, (KIND_REMINDER,))
        return int(row["n"]) if row else 0


@dataclass(frozen=True)
class Report:
    reminders: int
    pending: int
    bare: list[Timing]
    loaded: list[Timing]

    @staticmethod
    def median(timings: list[Timing], field: str) -> float:
        return float(statistics.median(getattr(t, field) for t in timings))

    @property
    def ratio(self) -> float:
        return self.median(self.loaded, "armed_s") / self.median(self.bare, "armed_s")

    def render(self) -> str:
        lines = [f"{'database':<28}{'starts':>7}{'polling s':>11}{'armed s':>9}"]
        for name, timings in (
            ("bare (no reminders)", self.bare),
            (f"{self.reminders:,} pending reminders", self.loaded),
        ):
            lines.append(
                f"{name:<28}{len(timings):>7}{self.median(timings, 'polling_s'):>11.3f}"
                f"{self.median(timings, 'armed_s'):>9.3f}"
            )
        extra = self.median(self.loaded, "armed_s") - self.median(self.bare, "armed_s")
        lines += [
            "armed: from entering running_bot until the scheduler's first round is done (what"
            " fell due handled, the next reminder armed); medians of alternating start-ups",
            f"still pending after the runs: {self.pending:,} of {self.reminders:,}; they cost"
            f" {extra * 1000:+.1f} ms",
            f"RESULT startup_ratio={self.ratio:.2f} reminders={self.reminders}"
            f" bare_s={self.median(self.bare, 'armed_s'):.3f}"
            f" loaded_s={self.median(self.loaded, 'armed_s'):.3f}",
        ]
        return "\n".join(lines)


async def _run(*, reminders: int, rounds: int) -> Report:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="leaguebot-startup-") as folder:
        bare_path, loaded_path = Path(folder) / "bare.db", Path(folder) / "loaded.db"
        await build(bare_path, reminders=0, now=now)
        await build(loaded_path, reminders=reminders, now=now)
        bare: list[Timing] = []
        loaded: list[Timing] = []
        async with SandboxProcess(SandboxSettings(enforce_limits=False), members=0) as sandbox:
            # One start-up each first: imports and the sandbox's first answers are not measured.
            for path in (bare_path, loaded_path):
                await start_once(bot_settings(base_url=sandbox.url, db_path=path))
            for _ in range(rounds):
                bare.append(await start_once(bot_settings(base_url=sandbox.url, db_path=bare_path)))
                loaded.append(
                    await start_once(bot_settings(base_url=sandbox.url, db_path=loaded_path))
                )
        left = await pending(loaded_path)
    return Report(reminders, left, bare, loaded)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 start-ups of each, seconds")
    parser.add_argument("--reminders", type=int, default=REMINDERS)
    parser.add_argument("--rounds", type=int, help="start-ups of each database (full 15)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 15)
    print(asyncio.run(_run(reminders=args.reminders, rounds=rounds)).render(), flush=True)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
