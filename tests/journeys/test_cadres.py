"""Appointing cadres with one-time links, listing and removing them, and who may do it."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain.authz import Role
from tests.journeys.cadre_steps import admin, appoint, audit_actions
from tests.journeys.steps import person, register


def _token(text: str) -> str:
    match = re.search(r"\?start=(inv_[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def _invite(boss, street: str, unit: str, role: str) -> str:
    await boss.send("/invite")
    assert "请选择被邀请人任职的单位" in boss.last_message().text
    await boss.press(street)
    await boss.press(unit)
    assert "请选择职务" in boss.last_message().text
    await boss.press(role)
    return _token(boss.last_message().text)


async def _menu(telegram, user_id: int) -> set[str]:
    menus = await telegram.commands()
    chat = [m for m in menus if m["scope"].get("chat_id") == user_id]
    return {c["command"] for c in chat[-1]["commands"]} if chat else set()


async def test_an_admin_invites_a_branch_secretary_who_opens_the_link(telegram, db):
    boss = await admin(telegram)
    token = await _invite(boss, "📂 东湖街道团工委", "湖滨社区团支部", "团支部书记")
    ready = boss.last_message()
    assert "单位：示例区团区委 › 东湖街道团工委 › 湖滨社区团支部" in ready.text
    assert f"https://t.me/sandbox_123456789_bot?start={token}" in ready.text
    assert ready.buttons == [["🚫 撤销邀请"]]

    wang = await person(telegram, "王书记")
    await wang.send(f"/start {token}")
    assert wang.last_message().text.startswith(
        "🎉 您已被任命为 示例区团区委 › 东湖街道团工委 › 湖滨社区团支部 的团支部书记。"
    )
    assert {"members", "pending", "transfers"} <= await _menu(telegram, wang.id)
    assert "invite" not in await _menu(telegram, wang.id)
    await boss.refresh()
    assert boss.last_message().text == (
        "✅ 王书记 已接受邀请，成为 示例区团区委 › 东湖街道团工委 › 湖滨社区团支部 的团支部书记。"
    )
    await wang.send("/help")
    assert "/pending — 待确认的登记" in wang.last_message().text
    rows = await db.fetch_all("SELECT telegram_user_id, role FROM roles WHERE revoked_at IS NULL")
    assert [(r["telegram_user_id"], r["role"]) for r in rows] == [(wang.id, "branch_secretary")]
    assert await audit_actions(db) == ["invitation.created", "role.granted"]


async def test_a_street_can_get_a_committee_cadre_but_not_a_branch_secretary(telegram, db):
    boss = await admin(telegram)
    await boss.send("/invite")
    await boss.press("📂 东湖街道团工委")
    await boss.press("✅ 选择：东湖街道团工委")
    assert boss.last_message().buttons == [["团（工）委干部"]]
    data = boss.last_message().button_data[0][0]
    street_id = data.split(":")[2].split(".")[0]
    # A forged role that does not fit a street is refused without creating a link.
    await boss.press_data(boss.last_message().message_id, f"cad:role:{street_id}.branch_secretary")
    assert boss.toasts()[-1] == "这个职务不适用于“东湖街道团工委”，请重新选择。"
    assert await db.fetch_all("SELECT * FROM invitations") == []


async def test_an_invitation_link_works_once(telegram, db):
    boss = await admin(telegram)
    await boss.send("/invite")
    await boss.press("📂 西城街道团工委")
    await boss.press("✅ 选择：西城街道团工委")
    await boss.press("团（工）委干部")
    token = _token(boss.last_message().text)
    zhao = await person(telegram, "赵书记")
    await zhao.send(f"/start {token}")
    li = await person(telegram, "李娜")
    await li.send(f"/start {token}")
    assert li.last_message().text.startswith("这个邀请链接已经被使用过了。")
    rows = await db.fetch_all("SELECT telegram_user_id FROM roles")
    assert [r["telegram_user_id"] for r in rows] == [zhao.id]


async def test_an_expired_link_makes_nobody_a_cadre(telegram, db, clock):
    boss = await admin(telegram)
    token = await _invite(boss, "📂 东湖街道团工委", "桃源社区团支部", "团支部书记")
    clock.advance(timedelta(hours=72, seconds=1))
    wang = await person(telegram, "王书记")
    await wang.send(f"/start {token}")
    assert wang.last_message().text.startswith("这个邀请链接已过期。")
    assert await db.fetch_all("SELECT * FROM roles") == []


async def test_a_revoked_link_makes_nobody_a_cadre(telegram, db):
    boss = await admin(telegram)
    token = await _invite(boss, "📂 东湖街道团工委", "桃源社区团支部", "团支部书记")
    await boss.press("🚫 撤销邀请")
    assert boss.last_message().text == "邀请链接已撤销，不能再使用。"
    wang = await person(telegram, "王书记")
    await wang.send(f"/start {token}")
    assert wang.last_message().text.startswith("这个邀请链接已被撤销。")
    assert await db.fetch_all("SELECT * FROM roles") == []
    assert "invitation.revoked" in await audit_actions(db)


async def test_an_unknown_link_is_explained(telegram):
    wang = await person(telegram, "王书记")
    await wang.send("/start inv_nothing-like-this")
    assert wang.last_message().text.startswith("这个邀请链接无效。")


async def test_a_cadre_of_one_branch_invited_to_another_holds_both(telegram, db):
    boss = await admin(telegram)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    token = await _invite(boss, "📂 东湖街道团工委", "桃源社区团支部", "团支部书记")
    await wang.send(f"/start {token}")
    assert "桃源社区团支部 的团支部书记" in wang.last_message().text
    rows = await db.fetch_all(
        "SELECT u.code FROM roles r JOIN org_units u ON u.id = r.org_unit_id"
        " WHERE r.telegram_user_id = ? AND r.revoked_at IS NULL ORDER BY u.code",
        (wang.id,),
    )
    assert [r["code"] for r in rows] == ["S01-01", "S01-02"]
    # The same role on the same unit again: the link is left for someone else.
    token = await _invite(boss, "📂 东湖街道团工委", "桃源社区团支部", "团支部书记")
    await wang.send(f"/start {token}")
    assert wang.last_message().text == "您已经担任这个职务了，无需再次接受邀请。"
    unused = await db.fetch_one("SELECT used_at FROM invitations WHERE token = ?", (token[4:],))
    assert unused is not None
    assert unused["used_at"] is None


async def test_an_invitation_opened_in_the_middle_of_registering_keeps_the_wizard(telegram, db):
    boss = await admin(telegram)
    token = await _invite(boss, "📂 东湖街道团工委", "桃源社区团支部", "团支部书记")
    wang = await person(telegram, "王书记")
    await wang.send("/start")
    await wang.press("✅ 同意并继续")
    await wang.send(f"/start {token}")
    assert wang.last_message().text.startswith("🎉 您已被任命为")
    await wang.send("13800138000")
    assert "真实姓名" in wang.last_message().text


async def test_the_admin_lists_and_removes_a_cadre_who_loses_the_menu(telegram, db):
    boss = await admin(telegram)
    wang = await person(telegram, "王书记")
    await register(wang, name="王书记", branch="湖滨社区团支部")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await boss.send("/cadres")
    listing = boss.last_message()
    assert listing.text.splitlines()[0] == "团干部名单（共 1 人）"
    assert "1. 湖滨社区团支部 · 团支部书记 · 王书记" in listing.text
    await boss.press("免去 1. 王书记")
    assert boss.last_message().text == "确定免去 王书记 的 湖滨社区团支部 团支部书记 职务吗？"
    await boss.press("确定免去")
    assert boss.toasts()[-1] == "已免去职务。"
    assert "（您负责的范围内暂无团干部）" in boss.last_message().text
    await wang.refresh()
    assert wang.last_message().text.startswith("您在 湖滨社区团支部 的团支部书记职务已被免去")
    assert "pending" not in await _menu(telegram, wang.id)
    role = await db.fetch_one("SELECT revoked_by, revoked_at FROM roles")
    assert role is not None
    assert role["revoked_by"] == boss.id
    assert role["revoked_at"] is not None


async def test_a_cadre_removed_meanwhile_is_explained_on_an_older_list(telegram, db):
    boss = await admin(telegram)
    wang = await person(telegram, "王书记")
    await register(wang, name="王书记", branch="湖滨社区团支部")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    role_id = (await db.fetch_one("SELECT id FROM roles"))["id"]
    await boss.send("/cadres")
    older = boss.last_message()
    await boss.send("/cadres")
    await boss.press("免去 1. 王书记")
    question = boss.last_message()
    await boss.press("确定免去")
    # The first list still offers to remove him, and the question's button was pressed once.
    gone = "该团干部已被免职或不存在。"
    await boss.press_button(older.message_id, f"cad:remove:{role_id}")
    assert boss.toasts()[-1] == gone
    await boss.press_data(question.message_id, f"cad:remove_ok:{role_id}")
    assert boss.toasts()[-1] == gone
    assert len(await db.fetch_all("SELECT id FROM roles WHERE revoked_at IS NOT NULL")) == 1


async def test_members_and_branch_cadres_cannot_invite_list_or_remove(telegram, db):
    boss = await admin(telegram)
    ming = await person(telegram, "张晓明")
    await register(ming)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, "S01", Role.COMMITTEE_CADRE)
    denied = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"
    for someone in (ming, wang):
        await someone.send("/invite")
        assert someone.last_message().text == denied
        await someone.send("/cadres")
        assert someone.last_message().text == denied
    # A street cadre sees the cadres of the street, but may not remove one.
    await zhao.send("/cadres")
    assert "湖滨社区团支部 · 团支部书记" in zhao.last_message().text
    assert zhao.last_message().buttons == []
    role_id = (await db.fetch_one("SELECT id FROM roles WHERE telegram_user_id = ?", (wang.id,)))[
        "id"
    ]
    for someone in (ming, wang, zhao):
        await someone.press_data(someone.last_message().message_id, f"cad:remove_ok:{role_id}")
        assert someone.toasts()[-1] == denied
    active = await db.fetch_all("SELECT id FROM roles WHERE revoked_at IS NULL")
    assert len(active) == 2
    denials = await db.fetch_all(
        "SELECT actor_user_id FROM audit_log WHERE action = 'access.denied'"
    )
    assert sorted({d["actor_user_id"] for d in denials}) == sorted({ming.id, wang.id, zhao.id})
    del boss


async def test_cadres_are_listed_only_under_the_grants_that_allow_listing(telegram, db):
    # 赵书记 is a street cadre of 东湖街道 and also the secretary of a branch elsewhere: a branch
    # secretary may not list cadres, so that branch's cadres stay off his list.
    await admin(telegram)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, "S01", Role.COMMITTEE_CADRE)
    await appoint(db, zhao, "S02-01", Role.BRANCH_SECRETARY)
    li = await person(telegram, "李书记")
    await appoint(db, li, "S02-01", Role.BRANCH_SECRETARY)
    await zhao.send("/cadres")
    listing = zhao.last_message().text
    assert listing.splitlines()[0] == "团干部名单（共 2 人）"
    assert "湖滨社区团支部 · 团支部书记" in listing
    assert str(li.id) not in listing
    role_id = (await db.fetch_one("SELECT id FROM roles WHERE telegram_user_id = ?", (li.id,)))[
        "id"
    ]
    await zhao.press_data(zhao.last_message().message_id, f"cad:remove:{role_id}")
    assert zhao.toasts()[-1] == "该团干部已被免职或不存在。"


async def test_a_forged_picker_button_gets_a_polite_answer(telegram, db):
    boss = await admin(telegram)
    await boss.send("/invite")
    await boss.press_data(boss.last_message().message_id, "cad:open:99999.0")
    assert boss.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    await boss.refresh()
    assert not any("出错" in m.text for m in boss.messages())
