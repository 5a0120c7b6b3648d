"""Scale benchmark: /stats and the three exports on a district of 100,000 members, 1,000
trainings and 10,000 nominations, timed against a plain SQLite `SELECT COUNT(*)` over the same
tables in the same run, with the memory each operation takes.

Run from the repository root: `python -m bench.scale [--quick]` (or every benchmark at once
with `make bench` / `python -m bench [--quick]`). The database is built with bulk SQL inserts.
Each operation runs in a fresh process (spawned), so its memory figure is its own: the growth
of the resident set from just before the operation to its high-water mark (VmHWM), on Linux.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bot.config import ENV_PREFIX, Settings, load_settings
from bot.demo import orgs_path
from bot.infra.idle_process import stop_idle_process
from bot.services.admin.org_import import import_orgs
from storage.database import Database
from storage.org_units import OrgUnitRepository

TOKEN = "123456789:BENCH-token-for-the-scale-run-only-0000"
ADMIN_ID = 900_001
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
FULL = {"members": 100_000, "trainings": 1_000, "nominations": 10_000}
QUICK = {"members": 10_000, "trainings": 100, "nominations": 1_000}
COUNTED_TABLES = ("members", "trainings", "enrolments", "nominations")
MEMBERS_PER_BRANCH = 500
ATTENDEES = 20
CAMPAIGNS = 5

# -- the district, in bulk ---------------------------------------------------------------------

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
# Ages 14-40, a tenth youth, one in fifty cadres; four in five on a roster, three in five of
# those linked to Telegram; the self-registered are half pending.
_MEMBERS = """
INSERT INTO members (telegram_user_id, name, phone, birth_date, org_unit_id, status,
                     league_join_date, source, review_state, consent_at, created_at, updated_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),
branches AS (
    SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS total
    FROM org_units WHERE kind = 'branch'
)
SELECT CASE WHEN n.i % 5 < 3 OR n.i % 5 = 4 THEN 50000000 + n.i END,
       '团员' || n.i,
       printf('139%08d', n.i),
       date('2026-11-28', printf('-%d years', 14 + n.i % 27), printf('-%d days', n.i % 365)),
       b.id,
       CASE WHEN n.i % 10 = 0 THEN 'youth' WHEN n.i % 50 = 1 THEN 'league_cadre'
            ELSE 'league_member' END,
       CASE WHEN n.i % 10 = 0 THEN NULL ELSE '2015-05-04' END,
       CASE WHEN n.i % 5 = 4 THEN 'self' ELSE 'roster' END,
       CASE WHEN n.i % 5 = 4 AND n.i % 2 = 0 THEN 'pending' ELSE 'confirmed' END,
       :now, :now, :now
FROM n JOIN branches b ON b.k = n.i % b.total
"""
_ROLES = """
INSERT INTO roles (telegram_user_id, org_unit_id, role, granted_by, granted_at)
SELECT MIN(m.telegram_user_id), m.org_unit_id, 'branch_secretary', :admin, :now
FROM members m WHERE m.telegram_user_id IS NOT NULL GROUP BY m.org_unit_id
"""
_TRAININGS = """
INSERT INTO trainings (title, starts_at, ends_at, place, capacity, hours_tenths,
                       audience_unit_id, signup_deadline, state, checkin_token, created_by,
                       created_at, updated_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),
units AS (
    SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, COUNT(*) OVER () AS total
    FROM org_units WHERE kind <> 'district'
)
SELECT printf('团校第%d期', n.i + 1),
       datetime(:now, printf('%+d days', CASE WHEN n.i % 5 = 4 THEN 3 ELSE -1 - n.i % 300 END)),
       datetime(:now, printf('%+d days', CASE WHEN n.i % 5 = 4 THEN 3 ELSE -1 - n.i % 300 END),
                '+2 hours'),
       '区青少年宫', 60, 10 + 5 * (n.i % 4), u.id,
       datetime(:now, printf('%+d days', CASE WHEN n.i % 5 = 4 THEN 2 ELSE -2 - n.i % 300 END)),
       CASE WHEN n.i % 5 = 4 THEN 'published' ELSE 'closed' END,
       printf('bench-%d', n.i), :admin, :now, :now
FROM n JOIN units u ON u.k = n.i % u.total
"""
_ENROLMENTS = f"""
INSERT OR IGNORE INTO enrolments (training_id, member_id, state, queue_seq, checked_in_at,
                                  hours_tenths, created_at, updated_at)
WITH RECURSIVE k (j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < {ATTENDEES})
SELECT t.id, (t.id * 7919 + k.j * 104729) % :members + 1,
       CASE WHEN t.state = 'published' THEN 'enrolled' WHEN k.j % 6 = 5 THEN 'no_show'
            ELSE 'attended' END,
       k.j + 1,
       CASE WHEN t.state = 'closed' AND k.j % 6 <> 5 THEN t.starts_at END,
       CASE WHEN t.state = 'closed' AND k.j % 6 <> 5 THEN t.hours_tenths END,
       :now, :now
FROM trainings t, k
"""
_CAMPAIGNS = f"""
INSERT INTO campaigns (kind, title, honour, rules, opens_at, closes_at, scope_unit_id,
                       created_by, created_at, updated_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {CAMPAIGNS})
SELECT 'activist', printf('2026年度推优入党第%d批', n.i + 1), '', :rules,
       datetime(:now, '-30 days'), datetime(:now, printf('%+d days', 10 + n.i)),
       (SELECT id FROM org_units WHERE kind = 'district'), :admin, :now, :now
FROM n
"""
_STATES = (
    "submitted",
    "submitted",
    "branch_passed",
    "committee_approved",
    "in_notice",
    "approved",
    "returned",
    "rejected",
    "withdrawn",
    "draft",
)
_NOMINATIONS = f"""
INSERT INTO nominations (campaign_id, member_id, branch_id, nominator_user_id, self_applied,
                         reason, state, submitted_at, state_since, created_at, updated_at)
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),
campaign AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM campaigns)
SELECT c.id, m.id, m.org_unit_id, :admin, n.i % 2, '工作积极，表现突出',
       json_extract(:states, printf('$[%d]', n.i % {len(_STATES)})), :now, :now, :now, :now
FROM n
JOIN campaign c ON c.k = n.i % {CAMPAIGNS}
JOIN members m ON m.id = ((n.i / {CAMPAIGNS}) * 13 + c.k) % :members + 1
"""
_EVENTS = """
INSERT INTO nomination_events (nomination_id, at, actor_user_id, step, from_state, to_state,
                               level, comment, version)
SELECT id, :now, :admin, 'submit', NULL, 'submitted', NULL, '', 1 FROM nominations
UNION ALL
SELECT id, :now, :admin, 'approve', 'submitted', 'branch_passed', 'branch', '同意推荐', 2
FROM nominations WHERE state NOT IN ('draft', 'submitted', 'returned', 'withdrawn')
"""
_MEETINGS = """
INSERT INTO branch_meetings (campaign_id, branch_id, held_on, entitled, present, recorded_by,
                             recorded_at)
SELECT DISTINCT campaign_id, branch_id, '2026-11-20', 40, 31, :admin, :now FROM nominations
"""
_VOTES = """
INSERT INTO meeting_votes (meeting_id, nomination_id, yes_votes, passed)
SELECT bm.id, n.id, 25, 1 FROM nominations n
JOIN branch_meetings bm ON bm.campaign_id = n.campaign_id AND bm.branch_id = n.branch_id
WHERE n.state NOT IN ('draft', 'submitted', 'returned', 'withdrawn')
"""


@dataclass(frozen=True)
class Size:
    members: int
    trainings: int
    nominations: int


async def build(path: Path, size: Size) -> None:
    """The district, with bulk inserts: a few seconds for the full size."""
    from bot.domain.nominations.campaigns import CampaignKind, preset

    async with Database(path) as db:
        await db.migrate()
        await import_orgs(repo=OrgUnitRepository(db), path=orgs_path(), now=NOW)
        params: dict[str, Any] = {"now": NOW.isoformat(), "admin": ADMIN_ID}
        async with db.transaction() as tx:
            await tx.execute(
                _BRANCHES, {**params, "count": max(1, size.members // MEMBERS_PER_BRANCH)}
            )
            await tx.execute(_BRANCH_PATHS)
            await tx.execute(_MEMBERS, {**params, "count": size.members})
            await tx.execute(_ROLES, params)
            await tx.execute(_TRAININGS, {**params, "count": size.trainings})
            await tx.execute(_ENROLMENTS, {**params, "members": size.members})
            rules = preset(CampaignKind.ACTIVIST).model_dump_json()
            await tx.execute(_CAMPAIGNS, {**params, "rules": rules})
            await tx.execute(
                _NOMINATIONS,
                {
                    **params,
                    "count": size.nominations,
                    "members": size.members,
                    "states": _json(_STATES),
                },
            )
            await tx.execute(_EVENTS, params)
            await tx.execute(_MEETINGS, params)
            await tx.execute(_VOTES, params)
        await db.execute("ANALYZE")


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values))


# -- one measured operation, in its own process ---------------------------------------------------


def _status_kb(field: str, pid: int | str = "self") -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak(pid: int | str = "self") -> None:
    # Writing 5 to clear_refs resets the high-water mark (VmHWM) to the current RSS (Linux).
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _export_processes() -> list[int]:
    """This process's children that multiprocessing spawned: the bot's export process."""
    found = []
    with contextlib.suppress(OSError):
        for task in Path("/proc/self/task").iterdir():
            for pid in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        found.append(int(pid))
    return found


@contextlib.contextmanager
def _without_leaguebot_environment() -> Iterator[None]:
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith(ENV_PREFIX)}
    try:
        yield
    finally:
        os.environ.update(saved)


def settings_for(path: Path) -> Settings:
    with _without_leaguebot_environment():
        return load_settings(
            None,
            overrides={
                "telegram": {"token": TOKEN},
                "storage": {"path": str(path)},
                "bot": {"admins": [ADMIN_ID]},
            },
        )


def measure(operation: str, path: str, repeat: int) -> dict[str, float]:
    """Runs one operation `repeat` times; seconds is the median, memory the whole run's."""
    try:
        return asyncio.run(_measure(operation, Path(path), repeat))
    finally:
        # This may be a multiprocessing worker, which would wait for the idle process at exit.
        stop_idle_process()


async def _measure(operation: str, path: Path, repeat: int) -> dict[str, float]:
    from functools import partial as bind

    from bot.app import idle_services
    from bot.clock import ManualClock
    from bot.domain.admin.exports import ExportKind
    from bot.domain.models import Language
    from bot.files.charts import render_png
    from bot.i18n import Translator
    from handlers.admin.export_screens import wording
    from handlers.admin.stats_screens import chart

    t = bind(Translator().t, Language.ZH)
    async with Database(path) as db:
        services = idle_services(settings_for(path), db=db, clock=ManualClock(NOW))
        district = await db.fetch_one("SELECT id FROM org_units WHERE kind = 'district'")
        assert district is not None
        words = wording(t)
        # Fill SQLite's page cache (2 MB, bounded) the same way for every operation, as a bot
        # that has been running a while has it: reading every row of every table counted.
        for table in COUNTED_TABLES:
            await db.fetch_one(f"SELECT COUNT(*) FROM {table}")
            # created_at is in no index, so this reads the table itself.
            await db.fetch_one(f"SELECT COUNT(created_at) FROM {table}")
        result: dict[str, float] = {"bytes": 0, "rows": 0}

        async def run(unit_id: int = district["id"]) -> None:
            if operation == "count":
                for table in COUNTED_TABLES:
                    await db.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")
            elif operation == "figures":
                screen = await services.stats.screen(ADMIN_ID, unit_id=unit_id)
                result["rows"] = screen.stats.members.total
            elif operation == "stats":
                screen = await services.stats.screen(ADMIN_ID, unit_id=unit_id)
                png = await asyncio.to_thread(render_png, chart(t, screen.stats))
                result["bytes"] = len(png)
                result["rows"] = screen.stats.members.total
            else:
                made = await services.exports.build(
                    kind=ExportKind(operation),
                    unit=await services.orgs.get(unit_id=unit_id),
                    wording=words,
                )
                result["bytes"] = len(made.content)
                result["rows"] = made.rows

        async def warm_up(unit_id: int) -> None:
            await run(unit_id)

        if operation != "count":
            # One run on a single branch first: what a bot that has already drawn a chart or
            # made an export holds anyway (lazy imports, the export process, font caches) is not
            # what this operation costs.
            branch = await db.fetch_one("SELECT MAX(id) AS id FROM org_units WHERE kind = 'branch'")
            assert branch is not None
            await warm_up(branch["id"])
        rss_before = _status_kb("VmRSS")
        _reset_peak()
        workers = _export_processes()
        for worker in workers:
            _reset_peak(worker)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            await run()
            timings.append(time.perf_counter() - started)
        peak = _status_kb("VmHWM")
        worker_peak = max((_status_kb("VmHWM", worker) for worker in workers), default=0)
    result["seconds"] = statistics.median(timings)
    result["rss_before_mb"] = rss_before / 1024
    result["rss_growth_mb"] = max(0, peak - rss_before) / 1024
    # The export process's own high-water mark (the bot's process only holds the file).
    result["worker_peak_mb"] = worker_peak / 1024
    return result


# -- the run -------------------------------------------------------------------------------------

OPERATIONS = (
    ("count", "COUNT(*) ×4 tables", 5),
    ("figures", "/stats: figures only (SQL)", 3),
    ("stats", "/stats (figures + chart)", 3),
    ("m", "export: members", 1),
    ("t", "export: trainings", 1),
    ("n", "export: nominations", 1),
)
_NAMES = {
    "count": "count",
    "figures": "figures",
    "stats": "stats",
    "m": "members",
    "t": "trainings",
    "n": "nominations",
}


def run(size: Size, *, isolate: bool = True) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="leaguebot-scale-") as folder:
        path = Path(folder) / "scale.db"
        started = time.perf_counter()
        asyncio.run(build(path, size))
        print(
            f"built {size.members:,} members, {size.trainings:,} trainings,"
            f" {size.nominations:,} nominations in {time.perf_counter() - started:.1f} s"
            f" ({path.stat().st_size / 1_048_576:.0f} MB)",
            flush=True,
        )
        results: dict[str, dict[str, float]] = {}
        for operation, _, repeat in OPERATIONS:
            if isolate:
                context = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                    future = pool.submit(partial(measure, operation, str(path), repeat))
                    results[operation] = future.result()
            else:
                results[operation] = measure(operation, str(path), repeat)
        return results


def report(size: Size, results: dict[str, dict[str, float]]) -> str:
    count = results["count"]["seconds"]
    lines = [
        f"{'operation':<28}{'seconds':>10}{'× count':>10}{'rows':>10}{'MB out':>9}{'RSS +MB':>9}"
        f"{'export process MB':>19}",
    ]
    for operation, label, _ in OPERATIONS:
        r = results[operation]
        worker = f"{r['worker_peak_mb']:.1f}" if r.get("worker_peak_mb") else "—"
        lines.append(
            f"{label:<28}{r['seconds']:>10.3f}{r['seconds'] / count:>10.0f}{r['rows']:>10,.0f}"
            f"{r['bytes'] / 1_048_576:>9.2f}{r['rss_growth_mb']:>9.1f}{worker:>19}"
        )
    members = results["m"]
    figures = {
        "members": size.members,
        "trainings": size.trainings,
        "nominations": size.nominations,
        "count_s": f"{count:.4f}",
    }
    for operation in ("figures", "stats", "m", "t", "n"):
        name = _NAMES[operation]
        r = results[operation]
        figures[f"{name}_s"] = f"{r['seconds']:.3f}"
        figures[f"{name}_ratio"] = f"{r['seconds'] / count:.0f}"
        figures[f"{name}_rss_mb"] = f"{r['rss_growth_mb']:.1f}"
        if operation in ("m", "t", "n"):
            figures[f"{name}_worker_peak_mb"] = f"{r['worker_peak_mb']:.0f}"
    file_mb = members["bytes"] / 1_048_576
    figures["members_file_mb"] = f"{file_mb:.2f}"
    # The streaming promise: the process grows by no more than the file it hands out.
    figures["members_growth_per_file"] = f"{members['rss_growth_mb'] / file_mb:.2f}"
    figures["members_growth_beyond_file_mb"] = f"{members['rss_growth_mb'] - file_mb:.1f}"
    figures["peak_rss_mb"] = (
        f"{max(r['rss_before_mb'] + r['rss_growth_mb'] for r in results.values()):.0f}"
    )
    lines.append("RESULT " + " ".join(f"{key}={value}" for key, value in figures.items()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 members, under a minute")
    parser.add_argument("--members", type=int)
    parser.add_argument("--trainings", type=int)
    parser.add_argument("--nominations", type=int)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="measure in this process (faster, memory figures less clean)",
    )
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    size = Size(
        members=args.members or base["members"],
        trainings=args.trainings or base["trainings"],
        nominations=args.nominations or base["nominations"],
    )
    if size.nominations > size.members * CAMPAIGNS:
        parser.error(f"at most members × {CAMPAIGNS} nominations (one per member and campaign)")
    if sys.platform != "linux":
        print("memory figures need Linux (/proc/self/status); they will read 0", flush=True)
    print(report(size, run(size, isolate=not args.in_process)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
