"""The bot process killed with SIGKILL at random (seeded) moments, five times in a row, while a
broadcast goes out and people are in the middle of wizards, and started again each time. Every
delivery is made (a second copy only of what was in flight), every wizard goes on from the step
it had reached with what was typed, and nobody is sent back to the beginning."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

from bot.domain.authz import Role
from bot.domain.trainings import Field as TrainingField
from sandbox.client import ChatUser, SandboxClient
from sandbox.server import SandboxServer
from storage.database import Database
from tests.journeys.cadre_steps import admin, appoint
from tests.journeys.steps import STEPS as REGISTRATION_STEPS
from tests.journeys.training_steps import seed_members
from tests.reliability.conftest import Figures
from tests.reliability.deliveries import tally
from tests.reliability.journeys import (
    Newcomer,
    NewTraining,
    broadcast,
    publish_training,
    register,
)
from tests.reliability.people import Person
from tests.reliability.process import AnsweredSettle, BotProcess, write_config

KILLS = 5
SEED = 8
RECIPIENTS = 150
# The delivery engine's default concurrency: at most this many messages are in flight.
IN_FLIGHT = 8
NOTICE = "区团委通知：本周六上午九点在青年之家开展志愿服务活动，请各支部组织团员参加。"
NEWCOMERS = [
    Newcomer("张晓明", "13800138000"),
    Newcomer("李娜", "13900139000", birth="2002-02-02", joined="2017-05-04"),
    Newcomer("陈晨", "13700137000", birth="1999-09-09", joined="2014-05-04"),
]
TRAINING = NewTraining("2030年团校第一期", place="区青少年宫", capacity="40")
# The wizards' steps in the order they are asked (drafts.step), to see that none goes back.
ORDER = {
    "registration": list(REGISTRATION_STEPS),
    "training_wizard": [field.value for field in TrainingField],
}
_DRAFTS = "SELECT journey, user_id, step, data FROM drafts"
# The mark of a field reopened from a wizard's summary (✏️ 修改).
EDITING = "draft.editing"
Snapshot = dict[tuple[str, int], tuple[str, frozenset[str]]]


async def test_five_kills_lose_no_delivery_and_no_wizard_step(
    sandbox: SandboxServer, demo_db: Path, db: Database, tmp_path: Path, figures: Figures
):
    config = write_config(tmp_path, base_url=sandbox.url, db_path=demo_db)
    bot = BotProcess(config, sandbox, tmp_path / "bot.log")
    try:
        await _kills(bot, sandbox, db, figures)
    finally:
        await bot.close()


async def _kills(bot: BotProcess, sandbox: SandboxServer, db: Database, figures: Figures) -> None:
    await bot.start()
    recipients = await seed_members(sandbox, db, RECIPIENTS, branch_code="S01-01")
    settle = AnsweredSettle(sandbox)
    async with SandboxClient(sandbox.url, settle=settle) as telegram:
        chief = Person(await admin(telegram))
        wang = await telegram.user("王书记")
        await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
        broadcast_id = await broadcast(chief, db, NOTICE)

        newcomers = [Person(await telegram.user(who.name)) for who in NEWCOMERS]
        secretary = Person(wang)
        wizards = asyncio.gather(
            *(register(p, db, who) for p, who in zip(newcomers, NEWCOMERS, strict=True)),
            publish_training(secretary, db, TRAINING),
        )
        people = [*newcomers, secretary]
        regressions = await _kill_repeatedly(bot, db, people, random.Random(SEED))
        await asyncio.wait_for(wizards, timeout=90)
        await _until_done(db, broadcast_id)
        assert await bot.stop() == 0

        assert regressions == []
        for person, who in zip(newcomers, NEWCOMERS, strict=True):
            row = await db.fetch_one(
                "SELECT name, phone, birth_date, league_join_date, status FROM members"
                " WHERE telegram_user_id = ?",
                (person.id,),
            )
            assert row is not None
            assert tuple(row) == (who.name, who.phone, who.birth, who.joined, "league_member")
            # Nobody was sent back to the privacy notice that opens the wizard.
            assert _shown(person.user, "个人信息保护告知") == 1
        training = await db.fetch_one(
            "SELECT place, capacity, hours_tenths, starts_at FROM trainings WHERE title = ?",
            (TRAINING.title,),
        )
        assert training is not None
        assert tuple(training) == ("区青少年宫", 40, 20, "2030-12-05T06:00:00+00:00")
        assert _shown(wang, "依次填写培训信息") == 1

        bot_id = sandbox.state.bot(None).id
        reached = [
            user_id
            for user_id in recipients
            if any(m.from_bot and m.html == NOTICE for m in sandbox.state.messages(user_id))
        ]
        assert len(reached) == RECIPIENTS
        deliveries = await tally(db, sandbox.state, bot_id=bot_id)
        assert deliveries.lost == 0, deliveries
        assert deliveries.duplicates <= KILLS * IN_FLIGHT
        figures(
            kills=bot.kills,
            starts=bot.starts,
            outbox_rows=deliveries.rows,
            lost=deliveries.lost,
            duplicates=deliveries.duplicates,
            wizard_restarts=sum(p.restarts for p in people),
            summaries_corrected=sum(p.corrections for p in people),
            actions_left_unanswered=settle.unanswered,
        )


async def _kill_repeatedly(
    bot: BotProcess, db: Database, people: list[Person], rng: random.Random
) -> list[str]:
    """Kills the running bot KILLS times at random moments and starts it again; returns every
    wizard that was further along, or held more of what was typed, before a kill than after
    the restart. A person who chose to change an answer takes their wizard back to that field
    on purpose: the draft then says which field is reopened, and a correction pressed just
    before the kill may only be handled after the restart."""
    regressions: list[str] = []
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.3, 1.2))
        await bot.kill()
        before, corrections = await _snapshot(db), [p.corrections for p in people]
        await bot.start()
        # Whatever was queued meanwhile is handled now; a wizard may only have moved on.
        await asyncio.sleep(0.3)
        after = await _snapshot(db)
        edited = {p.id for p, n in zip(people, corrections, strict=True) if p.corrections > n}
        for key, (step, filled) in before.items():
            if key not in after or key[1] in edited:
                continue
            later, still_filled = after[key]
            went_back = _rank(key[0], later) < _rank(key[0], step) and EDITING not in still_filled
            # Which field is reopened is not something typed: answering it clears the mark.
            lost = (filled - {EDITING}) - still_filled
            if went_back or lost:
                regressions.append(
                    f"{key}: {step} {sorted(filled)} -> {later} {sorted(still_filled)}"
                )
    return regressions


async def _snapshot(db: Database) -> Snapshot:
    """Each open wizard's step and the fields it holds a value for."""
    return {
        (row["journey"], row["user_id"]): (row["step"], _filled(json.loads(row["data"])))
        for row in await db.fetch_all(_DRAFTS)
    }


def _filled(data: object, prefix: str = "") -> frozenset[str]:
    if isinstance(data, dict):
        return frozenset().union(*(_filled(v, f"{prefix}{k}.") for k, v in data.items()))
    return frozenset() if data in (None, "", []) else frozenset({prefix.rstrip(".")})


def _rank(journey: str, step: str) -> int:
    steps = ORDER.get(journey, [])
    return steps.index(step) if step in steps else -1


def _shown(user: ChatUser, part: str) -> int:
    return sum(1 for m in user.messages() if m.from_bot and part in m.text)


async def _until_done(db: Database, broadcast_id: int) -> None:
    for _ in range(600):
        row = await db.fetch_one(
            "SELECT b.state, (SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending'))"
            " AS open FROM broadcasts b WHERE b.id = ?",
            (broadcast_id,),
        )
        if row is not None and row["state"] == "done" and row["open"] == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the broadcast did not finish")
