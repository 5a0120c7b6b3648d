"""The journeys of the reliability suite, walked by people who read their screen (see
people.py), each finished when the database says so."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from tests.journeys.nomination_steps import REASON, TITLE
from tests.journeys.steps import ZH
from tests.reliability.people import Person, answer, press


async def exists(db: Database, sql: str, *params: object) -> bool:
    return await db.fetch_one(sql, params) is not None


@dataclass(frozen=True)
class Newcomer:
    """What a newcomer types at registration (a League member of 湖滨社区团支部)."""

    name: str
    phone: str
    birth: str = "2001-05-04"
    joined: str = "2016-05-04"


async def register(person: Person, db: Database, who: Newcomer) -> None:
    """/start to 确认提交: the registration wizard."""
    user = person.user

    async def done() -> bool:
        return await exists(db, "SELECT 1 FROM members WHERE telegram_user_id = ?", person.id)

    lines = {
        "姓名": who.name,
        "出生日期": who.birth,
        "手机号": who.phone,
        "所在团支部": "示例区团区委 › 东湖街道团工委 › 湖滨社区团支部",
        "政治面貌": ZH["league_member"],
        "入团时间": who.joined,
    }
    await person.until(
        done,
        [
            *person.summary(ZH["confirm"], lines),
            press(user, ZH["agree"]),
            answer(user, "分享手机号", who.phone),
            answer(user, "真实姓名", who.name),
            answer(user, "出生日期", who.birth),
            press(user, "湖滨社区团支部"),
            press(user, "📂 东湖街道团工委"),
            press(user, ZH["league_member"]),
            answer(user, "入团时间", who.joined),
        ],
        command="/start",
    )


@dataclass(frozen=True)
class NewTraining:
    """What a branch secretary types in /newtraining (times in Asia/Shanghai)."""

    title: str
    description: str = "学习团章，交流心得"
    starts: str = "2030-12-05 14:00"
    ends: str = "2030-12-05 16:00"
    place: str = "区青少年宫三楼报告厅"
    capacity: str = "30"
    hours: str = "2"
    deadline: str = "2030-12-04 18:00"


async def publish_training(person: Person, db: Database, training: NewTraining) -> None:
    """/newtraining to ✅ 发布, by a branch secretary (the audience is their branch)."""
    user = person.user

    async def done() -> bool:
        return await exists(db, "SELECT 1 FROM trainings WHERE title = ?", training.title)

    lines = {
        "培训名称": training.title,
        "内容简介": training.description,
        "开始时间": training.starts,
        "结束时间": training.ends,
        "地点": training.place,
        "名额": training.capacity,
        "学时": training.hours,
        "报名截止": training.deadline,
    }
    # The deadline's prompt names the start time too, so it is recognised first.
    await person.until(
        done,
        [
            *person.summary("✅ 发布", lines),
            answer(user, "报名截止时间", training.deadline),
            answer(user, "培训学时", training.hours),
            answer(user, "名额", training.capacity),
            answer(user, "培训地点", training.place),
            answer(user, "结束时间", training.ends),
            answer(user, "开始时间", training.starts),
            answer(user, "内容简介", training.description),
            answer(user, "培训名称", training.title),
        ],
        command="/newtraining",
    )


async def sign_up(person: Person, db: Database, title: str) -> None:
    """/trainings, the training, ✍️ 报名."""

    async def done() -> bool:
        return await exists(
            db,
            "SELECT 1 FROM enrolments e JOIN members m ON m.id = e.member_id"
            " WHERE m.telegram_user_id = ? AND e.state = 'enrolled'",
            person.id,
        )

    await person.until(
        done,
        [press(person.user, "✍️ 报名"), press(person.user, f"1. {title}")],
        command="/trainings",
    )


async def apply(person: Person, db: Database) -> None:
    """/campaigns, the campaign, ✍️ 申请 with a reason and no attachments, ✅ 提交."""
    user = person.user

    async def done() -> bool:
        return await exists(
            db,
            "SELECT 1 FROM nominations n JOIN members m ON m.id = n.member_id"
            " WHERE m.telegram_user_id = ? AND n.state = 'submitted'",
            person.id,
        )

    await person.until(
        done,
        [
            press(user, "✅ 提交"),
            press(user, "跳过"),
            answer(user, "申请理由", REASON),
            press(user, "✍️ 申请"),
            press(user, f"1. {TITLE}"),
        ],
        command="/campaigns",
    )


async def approve(person: Person, db: Database, nominee: str) -> None:
    """/review, the nominee's card, ✅ 通过 (a campaign without a branch meeting)."""

    async def done() -> bool:
        return await exists(db, "SELECT 1 FROM nominations WHERE state = 'branch_passed'")

    await person.until(
        done,
        [press(person.user, "✅ 通过"), press(person.user, f"1. {nominee}")],
        command="/review",
    )


async def broadcast(person: Person, db: Database, text: str) -> int:
    """/broadcast to the cadre's whole unit, sent at once; returns the broadcast's id."""
    user = person.user
    started = "SELECT id FROM broadcasts WHERE state IN ('running', 'done')"

    async def done() -> bool:
        return await exists(db, started)

    await person.until(
        done,
        [
            press(user, "确认"),
            press(user, "立即发送"),
            press(user, "下一步：预览 »"),
            answer(user, "请直接发送通知的内容", text),
        ],
        command="/broadcast",
    )
    row = await db.fetch_one(started)
    assert row is not None
    return int(row["id"])
