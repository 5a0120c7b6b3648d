"""Branch cadres confirm or send back self-registrations and see their roster; nobody else may."""

from __future__ import annotations

from bot.domain.authz import Role
from tests.journeys.cadre_steps import appoint
from tests.journeys.steps import person, register

DENIED = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"


async def _state(db, user_id: int) -> tuple[str, str | None]:
    row = await db.fetch_one(
        "SELECT review_state, review_comment FROM members WHERE telegram_user_id = ?", (user_id,)
    )
    assert row is not None
    return row["review_state"], row["review_comment"]


async def test_a_branch_secretary_confirms_a_self_registered_member(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    assert await _state(db, ming.id) == ("pending", None)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await wang.send("/pending")
    listing = wang.last_message()
    assert listing.text.splitlines()[0] == "待确认的登记（共 1 人）"
    assert "1. 张晓明 138****8000 共青团员 · 湖滨社区团支部 【待确认】" in listing.text
    assert listing.buttons == [["✅ 确认 1. 张晓明", "↩️ 退回 1"]]
    await wang.press("✅ 确认 1. 张晓明")
    assert wang.toasts()[-1] == "已确认 张晓明 的登记。"
    assert "（目前没有待确认的登记）" in wang.last_message().text
    assert await _state(db, ming.id) == ("confirmed", None)
    await ming.refresh()
    assert ming.last_message().text == "✅ 您的登记已由团支部确认。"
    # The same button again (a double tap) decides nothing twice.
    await wang.press_data(listing.message_id, listing.button_data[0][0])
    assert wang.toasts()[-1] == "这条登记已经处理过了。"
    actions = [r["action"] for r in await db.fetch_all("SELECT action FROM audit_log")]
    assert actions.count("member.confirmed") == 1


async def test_a_sent_back_registration_tells_the_reason_and_returns_after_correction(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await wang.send("/pending")
    await wang.press("↩️ 退回 1")
    assert wang.last_message().text == "退回 张晓明 的登记，请选择原因（对方会看到）："
    await wang.press("所选团支部不对，请改选正确的团支部")
    assert await _state(db, ming.id) == ("rejected", "wrong_branch")
    await ming.refresh()
    assert ming.last_message().text.startswith(
        "您的登记被团支部退回，原因：所选团支部不对，请改选正确的团支部。"
    )
    await ming.send("/profile")
    await ming.press("✏️ 修改资料")
    await ming.press("✏️ 修改")
    await ming.press("所在团支部")
    await ming.press("桃源社区团支部")
    await ming.press("✅ 确认提交")
    assert await _state(db, ming.id) == ("pending", "wrong_branch")


async def test_cadres_of_other_units_cannot_decide_and_each_attempt_is_audited(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    member_id = (await db.fetch_one("SELECT id FROM members"))["id"]
    sibling = await person(telegram, "邻支部书记")
    await appoint(db, sibling, "S01-02", Role.BRANCH_SECRETARY)
    other_street = await person(telegram, "西城干部")
    await appoint(db, other_street, "S02", Role.COMMITTEE_CADRE)
    li = await person(telegram, "李娜")
    await register(li, name="李娜", phone="13900139000", branch="桃源社区团支部")
    for outsider in (sibling, other_street, li):
        await outsider.send("/help")
        message_id = outsider.last_message().message_id
        await outsider.press_data(message_id, f"rev:ok:{member_id}:-")
        assert outsider.toasts()[-1] == DENIED
        await outsider.press_data(message_id, f"rev:why:{member_id}:duplicate")
        assert outsider.toasts()[-1] == DENIED
        await outsider.press_data(message_id, f"rev:no:{member_id}:-")
        assert outsider.toasts()[-1] == DENIED
    assert await _state(db, ming.id) == ("pending", None)
    denials = await db.fetch_all(
        "SELECT actor_user_id, entity_id FROM audit_log WHERE action = 'access.denied'"
    )
    assert len(denials) == 9
    assert {d["actor_user_id"] for d in denials} == {sibling.id, other_street.id, li.id}
    # The sibling's own /pending does not show the other branch's member.
    await sibling.send("/pending")
    assert "张晓明" not in sibling.last_message().text


async def test_a_street_cadre_confirms_members_of_its_branches(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, "S01", Role.COMMITTEE_CADRE)
    await zhao.send("/pending")
    await zhao.press("✅ 确认 1. 张晓明")
    assert await _state(db, ming.id) == ("confirmed", None)


async def test_the_roster_is_paged_with_masked_phones_and_scoped_to_the_branch(telegram, db):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    for number in range(11):
        someone = await person(telegram, f"团员{number:02d}")
        await register(
            someone, name=f"团员{number:02d}", phone=f"1380013{number:04d}", branch="湖滨社区团支部"
        )
    outsider = await person(telegram, "外支部团员")
    await register(outsider, name="外支部团员", phone="13900139999", branch="桃源社区团支部")
    await wang.send("/members")
    first = wang.last_message()
    assert first.text.splitlines()[0] == "团员名册（共 11 人）"
    assert "第 1/2 页" in first.text
    assert "1. 团员00 138****0000 共青团员 · 湖滨社区团支部 【待确认】" in first.text
    assert "13800130000" not in first.text
    assert "外支部团员" not in first.text
    await wang.press("»")
    assert "11. 团员10" in wang.last_message().text
    assert wang.last_message().message_id == first.message_id
    await outsider.send("/members")
    assert outsider.last_message().text == DENIED


async def test_a_confirmed_member_changes_branch_only_by_transfer(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    await wang.send("/pending")
    await wang.press("✅ 确认 1. 张晓明")
    await ming.send("/profile")
    await ming.press("✏️ 修改资料")
    await ming.press("✏️ 修改")
    assert ["所在团支部"] not in ming.last_message().buttons
    nonce = ming.last_message().button_data[0][0].split(":")[1]
    await ming.press_data(ming.last_message().message_id, f"reg:{nonce}:field:branch")
    assert ming.toasts()[-1] == "已确认的团员变更所在团支部，请发送 /transfer 申请组织关系转接。"
