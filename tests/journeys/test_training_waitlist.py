"""Places, the waitlist and changes to a training: nobody overfills it, nobody gets a place
without accepting it, and everyone affected by a cancellation or an edit is told once."""

from __future__ import annotations

import asyncio

from bot.domain.authz import Role
from handlers.trainings.buttons import TrainingSignUp
from sandbox.client import SandboxClient
from tests.journeys.cadre_steps import appoint
from tests.journeys.steps import person, register
from tests.journeys.training_steps import local, move_to, publish, seed_members, texts

TITLE = "2026年团校第一期"


async def _states(db, training_id: int) -> list[tuple[int, str]]:
    rows = await db.fetch_all(
        "SELECT m.telegram_user_id, e.state FROM enrolments e JOIN members m ON m.id = e.member_id"
        " WHERE e.training_id = ? ORDER BY e.queue_seq",
        (training_id,),
    )
    return [(r["telegram_user_id"], r["state"]) for r in rows]


async def test_fifty_members_pressing_at_once_fill_ten_places_and_wait_in_order_of_arrival(
    telegram: SandboxClient, sandbox, bot, db
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id, capacity=10)
    people = await seed_members(sandbox, db, 50)
    # The flood limits are tested elsewhere; here fifty chats answer at once.
    await telegram.change_settings(enforce_limits=False)

    async def burst(action: str, bodies: dict[int, dict[str, object]]) -> list[tuple[int, int]]:
        acted = await asyncio.gather(
            *(
                telegram.request("POST", f"/users/{uid}/{action}", json=body)
                for uid, body in bodies.items()
            )
        )
        arrivals = sorted(
            (result["update_id"], uid) for uid, result in zip(bodies, acted, strict=True)
        )
        await telegram.settle(telegram, arrivals[-1][0])
        return arrivals

    await burst("messages", {uid: {"text": f"/start tr_{training.id}"} for uid in people})
    sign_up = TrainingSignUp(training_id=training.id).pack()
    pages = {}
    for uid in people:
        transcript = await telegram.transcript(uid)
        pages[uid] = transcript["messages"][-1]["message_id"]
    arrivals = await burst(
        "press", {uid: {"message_id": pages[uid], "callback_data": sign_up} for uid in people}
    )
    in_order = [uid for _, uid in arrivals]

    states = await _states(db, training.id)
    assert [state for _, state in states] == ["enrolled"] * 10 + ["waitlisted"] * 40
    assert [uid for uid, _ in states] == in_order
    counts = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM enrolments WHERE training_id = ? AND state = 'enrolled'",
        (training.id,),
    )
    assert counts["n"] == 10
    last = await telegram.user("团员", user_id=in_order[-1])
    await last.refresh()
    assert "排第 40 位" in last.last_message().text


async def _two_waiting(telegram, bot, db, sandbox):
    """A training with one place: 张晓明 holds it, 团员0 and 团员1 wait in that order."""
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    training = await publish(bot, db, wang.id, capacity=1)
    ming = await person(telegram, "张晓明")
    await register(ming)
    await ming.send(f"/start tr_{training.id}")
    await ming.press("✍️ 报名")
    waiting = []
    for uid in await seed_members(sandbox, db, 2):
        member = await telegram.user("团员", user_id=uid)
        await member.send(f"/start tr_{training.id}")
        await member.press("⏳ 名额已满，加入候补")
        waiting.append(member)
    return wang, training, ming, waiting


async def test_a_freed_place_is_offered_to_the_first_waitlisted_who_accepts_it(
    telegram: SandboxClient, sandbox, bot, db, clock
):
    _, training, ming, (first, second) = await _two_waiting(telegram, bot, db, sandbox)
    await ming.send("/mytrainings")
    await ming.press(f"1. {TITLE}")
    await ming.press("取消报名")
    await ming.press("确定取消")
    assert "已取消报名。" in ming.toasts()
    await first.refresh()
    offer = first.last_message()
    assert "有空余名额了" in offer.text and "保留至 2026-11-29 04:00" in offer.text
    # Nobody is enrolled without accepting.
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "offered", "waitlisted"]
    await second.refresh()
    assert not texts(second, "有空余名额了")
    await first.press("✅ 接受名额")
    assert first.last_message().document is not None
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "enrolled", "waitlisted"]
    # The hold ending later changes nothing for an accepted place.
    await move_to(bot, clock, local("2026-11-29 04:00"))
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "enrolled", "waitlisted"]
    await first.press_data(offer.message_id, offer.button_data[0][0])
    assert "这个名额已经失效" in first.toasts()[-1]


async def test_a_declined_offer_goes_to_the_next_on_the_waitlist(
    telegram: SandboxClient, sandbox, bot, db, clock
):
    _, training, ming, (first, second) = await _two_waiting(telegram, bot, db, sandbox)
    await ming.send(f"/start tr_{training.id}")
    await ming.press("取消报名")
    await ming.press("确定取消")
    await first.refresh()
    await first.press("放弃名额")
    assert "您已放弃名额" in first.toasts()[-1]
    await second.refresh()
    assert len(texts(second, "有空余名额了")) == 1
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "declined", "offered"]
    await second.press("✅ 接受名额")
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "declined", "enrolled"]


async def test_an_offer_nobody_answers_expires_and_passes_on(
    telegram: SandboxClient, sandbox, bot, db, clock
):
    _, training, ming, (first, second) = await _two_waiting(telegram, bot, db, sandbox)
    await ming.send(f"/start tr_{training.id}")
    await ming.press("取消报名")
    await ming.press("确定取消")
    # Eleven hours later the place is still held.
    await move_to(bot, clock, local("2026-11-29 03:00"))
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "offered", "waitlisted"]
    await move_to(bot, clock, local("2026-11-29 04:00"))
    assert [s for _, s in await _states(db, training.id)] == ["cancelled", "expired", "offered"]
    await first.refresh()
    assert len(texts(first, "保留时间已过")) == 0  # held back by quiet hours until 08:00
    await move_to(bot, clock, local("2026-11-29 08:00"))
    await first.refresh()
    assert len(texts(first, "保留时间已过")) == 1
    await second.refresh()
    assert len(texts(second, "有空余名额了")) == 1
    # The first one's old button no longer takes the place.
    await first.press("✅ 接受名额")
    assert "这个名额已经失效" in first.toasts()[-1]


async def test_cancelling_a_training_tells_everyone_enrolled_or_waitlisted_once(
    telegram: SandboxClient, sandbox, bot, db, clock
):
    wang, training, ming, waiting = await _two_waiting(telegram, bot, db, sandbox)
    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("🚫 取消培训")
    confirm = wang.last_message()
    assert "已报名和候补的 3 人会收到取消通知" in confirm.text
    await wang.press("确定取消培训")
    assert "已取消培训，已通知 3 人。" in wang.toasts()[-1]
    assert "本期培训已取消" in wang.last_message().text
    # Pressing the old confirmation again changes nothing and tells nobody twice.
    await wang.press_data(confirm.message_id, confirm.button_data[0][0])
    assert "已取消或已结束" in wang.toasts()[-1]
    for member in (ming, *waiting):
        await member.refresh()
        assert len(texts(member, "培训取消通知")) == 1
    rows = await db.fetch_all("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'training.cancelled'")
    assert rows[0]["n"] == 3
    pending = await db.fetch_all(
        "SELECT kind FROM reminders WHERE target = ? AND state = 'pending'",
        (f"training:{training.id}",),
    )
    assert pending == []
    await ming.send(f"/start tr_{training.id}")
    assert "本期培训已取消" in ming.last_message().text
    assert "✍️ 报名" not in [b for row in ming.last_message().buttons for b in row]


async def test_editing_a_training_tells_the_enrolled_what_changed(
    telegram: SandboxClient, sandbox, bot, db, clock
):
    wang, training, ming, (first, _) = await _two_waiting(telegram, bot, db, sandbox)
    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("✏️ 修改")
    assert "请核对修改后的培训信息" in wang.last_message().text
    await wang.press("✏️ 修改")
    await wang.press("开始时间")
    assert "当前填写：2026-12-05 14:00" in wang.last_message().text
    await wang.send("2026-12-06 09:00")
    # The session keeps its two hours; the cadre makes it longer.
    assert "结束时间：2026-12-06 11:00" in wang.last_message().text
    await wang.press("✏️ 修改")
    await wang.press("结束时间")
    await wang.send("11:30")
    await wang.press("✏️ 修改")
    await wang.press("地点")
    await wang.send("区委党校报告厅")
    await wang.press("✏️ 修改")
    await wang.press("名额")
    await wang.send("2")
    await wang.press("✅ 保存修改")
    assert "已通知 1 名已报名的团员" in wang.last_message().text
    await ming.refresh()
    notice = ming.last_message().text
    assert "培训信息变更" in notice
    assert "开始时间：2026-12-05 14:00 → 2026-12-06 09:00" in notice
    assert "结束时间：2026-12-05 16:00 → 2026-12-06 11:30" in notice
    assert "地点：区青少年宫三楼报告厅 → 区委党校报告厅" in notice
    # One more place: the first waitlisted is offered it.
    await first.refresh()
    assert len(texts(first, "有空余名额了")) == 1
    due = await db.fetch_all(
        "SELECT kind, due_at FROM reminders WHERE target = ? AND state = 'pending' ORDER BY due_at",
        (f"training:{training.id}",),
    )
    assert [(r["kind"], r["due_at"]) for r in due] == [
        ("training.reminder", "2026-12-05T01:00:00+00:00"),
        ("training.reminder", "2026-12-06T00:00:00+00:00"),
        ("training.close", "2026-12-06T03:30:00+00:00"),
    ]
    # Places cannot shrink below those who hold one.
    await wang.send("/roster")
    await wang.press(f"1. {TITLE}")
    await wang.press("✏️ 修改")
    await wang.press("✏️ 修改")
    await wang.press("名额")
    await wang.send("1")
    await wang.press("✅ 保存修改")
    assert "已有 2 人占用名额，名额不能少于 2" in wang.toasts()[-1]
    row = await db.fetch_one("SELECT capacity, version FROM trainings WHERE id = ?", (training.id,))
    assert (row["capacity"], row["version"]) == (2, 2)


async def test_overlapping_trainings_warn_the_member_who_decides(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    first = await publish(bot, db, wang.id)
    second = await publish(
        bot, db, wang.id, title="青年干部培训班", starts="2026-12-05 15:00", ends="2026-12-05 17:00"
    )
    ming = await person(telegram, "张晓明")
    await register(ming)
    await ming.send(f"/start tr_{first.id}")
    await ming.press("✍️ 报名")
    await ming.send(f"/start tr_{second.id}")
    await ming.press("✍️ 报名")
    warning = ming.last_message().text
    assert "与您已报名的培训时间冲突" in warning and TITLE in warning
    await ming.press("« 返回")
    assert "青年干部培训班" in ming.last_message().text
    assert (await db.fetch_one("SELECT COUNT(*) AS n FROM enrolments"))["n"] == 1
    await ming.press("✍️ 报名")
    await ming.press("仍然报名")
    assert "✅ 报名成功" in ming.toasts()[-1]
    assert (await db.fetch_one("SELECT COUNT(*) AS n FROM enrolments"))["n"] == 2


async def test_sign_up_is_refused_outside_the_audience_after_the_deadline_and_twice(
    telegram: SandboxClient, bot, db, clock
):
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, "S01", Role.COMMITTEE_CADRE)
    training = await publish(bot, db, zhao.id, unit_code="S01")
    ming = await person(telegram, "张晓明")
    await register(ming)
    west = await person(telegram, "刘洋")
    await register(
        west, name="刘洋", phone="13700137000", street="📂 西城街道团工委", branch="西城社区团支部"
    )
    await west.send("/trainings")
    assert TITLE not in west.last_message().text
    await west.send(f"/start tr_{training.id}")
    assert "本期培训不面向您所在的团组织" in west.last_message().text
    await west.press_data(
        west.last_message().message_id,
        TrainingSignUp(training_id=training.id).pack(),
    )
    assert "不面向您所在的团组织，无法报名" in west.toasts()[-1]

    # A member of a branch below the audience unit may sign up, once.
    await ming.send(f"/start tr_{training.id}")
    await ming.press("✍️ 报名")
    page = ming.last_message().message_id
    await ming.press_data(page, TrainingSignUp(training_id=training.id).pack())
    assert "无需重复报名" in ming.toasts()[-1]

    na = await person(telegram, "李娜")
    await register(na, name="李娜", phone="13900139000")
    await move_to(bot, clock, local("2026-12-04 18:00"))
    await na.send(f"/start tr_{training.id}")
    assert "报名已截止" in na.last_message().text
    await na.press_data(
        na.last_message().message_id,
        TrainingSignUp(training_id=training.id).pack(),
    )
    assert "报名已截止，不能再报名" in na.toasts()[-1]
    assert (await db.fetch_one("SELECT COUNT(*) AS n FROM enrolments"))["n"] == 1
