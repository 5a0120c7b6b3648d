"""A member moves to another branch (组织关系转接): the receiving branch's cadre decides, both
branches and the member are told, and nobody else can decide."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.app import running_bot
from bot.domain.authz import Role
from bot.domain.models import MemberProfile, MemberStatus
from sandbox.client import ChatUser, SandboxClient
from storage.database import Database
from storage.members import MemberRepository
from storage.transfers import TransferRepository
from tests.conftest import START, bot_settings, settle_with
from tests.journeys.cadre_steps import appoint, audit_actions, unit_id
from tests.journeys.steps import person, register

DENIED = "抱歉，您没有权限进行这项操作，或对象不在您负责的范围内。本次操作未做任何更改。"
SETTLED = "该申请已经处理过了，无需再次操作。"
APPROVE, REJECT = "✅ 同意", "❌ 不同意"
HOME = "示例区团区委 › 东湖街道团工委 › 湖滨社区团支部"
TARGET = "示例区团区委 › 西城街道团工委 › 西城社区团支部"
REASON = "本支部暂不接收，请先联系街道团工委"


async def _ask_to_move(member: ChatUser) -> None:
    """/transfer → up from the member's street → 西城街道团工委 → 西城社区团支部 → submit."""
    await member.send("/transfer")
    await member.press("⬆️ 返回上一级")
    await member.press("📂 西城街道团工委")
    await member.press("西城社区团支部")
    await member.press("✅ 提交申请")


async def _member_unit(db: Database, member: ChatUser) -> str:
    row = await db.fetch_one(
        "SELECT u.code FROM members m JOIN org_units u ON u.id = m.org_unit_id"
        " WHERE m.telegram_user_id = ?",
        (member.id,),
    )
    assert row is not None
    return str(row["code"])


async def _version(db: Database, member: ChatUser) -> int:
    row = await db.fetch_one("SELECT version FROM members WHERE telegram_user_id = ?", (member.id,))
    assert row is not None
    return int(row["version"])


async def _transfers(db: Database) -> list[dict[str, object]]:
    rows = await db.fetch_all(
        "SELECT t.id, t.state, t.decided_by, t.comment, f.code AS from_code, o.code AS to_code"
        " FROM transfers t JOIN org_units f ON f.id = t.from_unit_id"
        " JOIN org_units o ON o.id = t.to_unit_id ORDER BY t.id"
    )
    return [dict(row) for row in rows]


async def _newest_transfer_id(db: Database) -> int:
    row = await db.fetch_one("SELECT MAX(id) AS id FROM transfers")
    assert row is not None and row["id"] is not None
    return int(row["id"])


async def _setup(telegram, db) -> tuple[ChatUser, ChatUser, ChatUser]:
    """张晓明 of 湖滨社区团支部, its secretary 赵, and 王 of the receiving 西城社区团支部."""
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    zhao = await person(telegram, "赵书记")
    await appoint(db, zhao, "S01-01", Role.BRANCH_SECRETARY)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S02-01", Role.BRANCH_SECRETARY)
    return ming, zhao, wang


async def test_a_member_moves_to_another_branch_when_its_secretary_approves(telegram, db):
    ming, zhao, wang = await _setup(telegram, db)
    await ming.send("/transfer")
    picker = ming.last_message()
    assert picker.text.startswith("组织关系转接\n当前所在团支部：" + HOME)
    assert "请选择要转入的团支部" in picker.text
    # The picker opens next to the member's branch, without the branch itself.
    assert ["桃源社区团支部"] in picker.buttons
    assert ["湖滨社区团支部"] not in picker.buttons
    await ming.press("⬆️ 返回上一级")
    await ming.press("📂 西城街道团工委")
    await ming.press("西城社区团支部")
    confirm = ming.last_message()
    assert confirm.message_id == picker.message_id
    assert confirm.text.splitlines()[:3] == [
        "请确认转接申请",
        "转出团支部：" + HOME,
        "转入团支部：" + TARGET,
    ]
    assert confirm.buttons == [["✅ 提交申请"], ["« 重新选择", "取消"]]
    await ming.press("✅ 提交申请")
    assert ming.last_message().text.startswith("✅ 转接申请已提交")
    assert ming.last_message().buttons == []

    await wang.refresh()
    notice = wang.last_message()
    assert notice.text.startswith("📨 收到新的组织关系转接申请，请审批。")
    assert "申请人：张晓明" in notice.text
    assert "转入团支部：" + TARGET in notice.text
    assert "申请时间：2026-11-28 16:00" in notice.text
    assert notice.buttons == [[APPROVE, REJECT]]
    await zhao.refresh()
    assert zhao.last_message().text.startswith("📤 张晓明 申请将组织关系从 " + HOME + " 转出")
    assert zhao.last_message().buttons == []

    await wang.press(APPROVE)
    decided = wang.last_message()
    assert decided.message_id == notice.message_id
    assert decided.text.endswith("✅ 您已同意，张晓明 的组织关系已转入 " + TARGET + "。")
    assert decided.buttons == []
    await ming.refresh()
    assert ming.last_message().text == (
        "✅ 您的组织关系转接申请已获同意，组织关系已转入 " + TARGET + "。"
    )
    await zhao.refresh()
    assert zhao.last_message().text == f"✅ 张晓明 的组织关系已由 {HOME} 转入 {TARGET}。"

    assert await _member_unit(db, ming) == "S02-01"
    assert await _version(db, ming) == 2
    [row] = await _transfers(db)
    assert row["state"] == "approved"
    assert row["decided_by"] == wang.id
    assert (row["from_code"], row["to_code"]) == ("S01-01", "S02-01")
    actions = await audit_actions(db)
    assert actions[-3:] == ["transfer.requested", "transfer.approved", "member.transferred"]
    moved = await db.fetch_one(
        "SELECT actor_user_id, before, after FROM audit_log WHERE action = 'member.transferred'"
    )
    assert moved is not None and moved["actor_user_id"] == wang.id
    await ming.send("/transfer")
    assert "当前所在团支部：" + TARGET in ming.last_message().text


async def test_a_rejection_tells_the_member_the_reason_and_moves_nothing(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    await _ask_to_move(ming)
    await wang.refresh()
    notice = wang.last_message()
    await wang.press(REJECT)
    prompt = wang.last_message()
    assert prompt.message_id == notice.message_id
    assert "请直接回复一句不同意的理由（200 字以内）" in prompt.text
    assert prompt.buttons == [["不填理由，直接不同意"], ["« 返回"]]

    await wang.send(f"  {REASON}  ")
    assert wang.last_message().text == "❌ 已不同意 张晓明 的组织关系转接申请，已通知申请人。"
    rewritten = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert rewritten.text.endswith(f"❌ 您已不同意，已通知申请人。\n理由：{REASON}")
    assert rewritten.buttons == []
    await ming.refresh()
    assert ming.last_message().text.startswith(
        f"您转入 {TARGET} 的组织关系转接申请未获同意。\n理由：{REASON}"
    )

    assert await _member_unit(db, ming) == "S01-01"
    [row] = await _transfers(db)
    assert (row["state"], row["comment"], row["decided_by"]) == ("rejected", REASON, wang.id)
    assert "member.transferred" not in await audit_actions(db)
    assert await db.fetch_one("SELECT * FROM drafts WHERE user_id = ?", (wang.id,)) is None
    # The reason was the one message awaited; the next one is ordinary chat again.
    await wang.send("谢谢")
    assert wang.last_message().text.startswith("我没有理解这条消息")


async def test_a_cadre_may_go_back_from_the_reason_or_reject_without_one(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    await _ask_to_move(ming)
    await wang.refresh()
    notice = wang.last_message()
    await wang.press(REJECT)
    await wang.press("« 返回")
    assert wang.last_message().buttons == [[APPROVE, REJECT]]
    assert await db.fetch_one("SELECT * FROM drafts WHERE user_id = ?", (wang.id,)) is None
    await wang.press(REJECT)
    await wang.send("/cancel")
    assert wang.last_message().text == "已取消填写理由，该申请仍待审批。"
    restored = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert restored.buttons == [[APPROVE, REJECT]]
    await wang.press(REJECT)
    await wang.send("理由" * 101)
    assert wang.last_message().text == "理由最多 200 字，您发送了 202 字，请精简后重新发送。"
    await wang.press("不填理由，直接不同意")
    rewritten = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert rewritten.text.endswith("❌ 您已不同意，已通知申请人。")
    assert rewritten.buttons == []
    await ming.refresh()
    assert ming.last_message().text.startswith(f"您转入 {TARGET} 的组织关系转接申请未获同意。\n\n")
    [row] = await _transfers(db)
    assert (row["state"], row["comment"]) == ("rejected", None)


async def test_a_member_withdraws_a_pending_request(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    await _ask_to_move(ming)
    await ming.send("/transfer")
    pending = ming.last_message()
    assert "您有一份转接申请正在等待转入团支部审批" in pending.text
    assert "转入团支部：" + TARGET in pending.text
    assert pending.buttons == [["撤回申请"]]
    await ming.press("撤回申请")
    assert ming.last_message().text == f"已撤回转入 {TARGET} 的申请，您的组织关系保持不变。"
    await wang.refresh()
    assert wang.last_message().text == (
        f"张晓明 已撤回转入 {TARGET} 的组织关系转接申请，无需再审批。"
    )

    # The secretary's earlier notification still shows the buttons; they now decide nothing.
    notice = next(m for m in reversed(wang.messages()) if m.buttons)
    await wang.press_button(notice.message_id, notice.button_data[0][0])
    assert wang.toasts()[-1] == SETTLED
    rewritten = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert rewritten.text.endswith("该申请已处理：申请人已撤回。")
    assert rewritten.buttons == []
    assert [r["state"] for r in await _transfers(db)] == ["cancelled"]
    assert await _member_unit(db, ming) == "S01-01"
    # Withdrawing twice is answered politely too.
    await ming.press_data(pending.message_id, pending.button_data[0][0])
    assert ming.toasts()[-1] == SETTLED
    # With nothing pending, /transfer offers the tree again.
    await ming.send("/transfer")
    assert "请选择要转入的团支部" in ming.last_message().text


async def test_a_cadre_of_a_sibling_branch_cannot_approve_and_is_audited(telegram, db):
    ming, zhao, wang = await _setup(telegram, db)
    sibling = await person(telegram, "文昌书记")
    await appoint(db, sibling, "S02-02", Role.BRANCH_SECRETARY)
    await _ask_to_move(ming)
    await wang.refresh()
    approve_data, reject_data = wang.last_message().button_data[0]
    # The sending branch's secretary may not decide for the receiving branch either.
    for outsider in (sibling, zhao):
        await outsider.send("/help")
        message_id = outsider.last_message().message_id
        await outsider.press_data(message_id, approve_data)
        assert outsider.toasts()[-1] == DENIED
        await outsider.press_data(message_id, reject_data)
        assert outsider.toasts()[-1] == DENIED
    assert await _member_unit(db, ming) == "S01-01"
    assert [r["state"] for r in await _transfers(db)] == ["pending"]
    denials = await db.fetch_all(
        "SELECT actor_user_id, entity_id, after FROM audit_log WHERE action = 'access.denied'"
    )
    assert sorted(d["actor_user_id"] for d in denials) == sorted([sibling.id] * 2 + [zhao.id] * 2)
    target = await unit_id(db, "S02-01")
    assert {d["entity_id"] for d in denials} == {target}
    assert all("decide_transfer" in d["after"] for d in denials)
    assert await db.fetch_one("SELECT * FROM drafts WHERE journey = 'transfer_reason'") is None
    # Their /transfers does not list it.
    await sibling.send("/transfers")
    assert sibling.last_message().text == "您负责的范围内暂无待审批的组织关系转接申请。"
    # The receiving branch's secretary still can.
    await wang.press(APPROVE)
    assert await _member_unit(db, ming) == "S02-01"


async def test_a_member_pressing_a_cadres_button_is_denied(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    await _ask_to_move(ming)
    await wang.refresh()
    approve_data, reject_data = wang.last_message().button_data[0]
    mine = ming.last_message().message_id
    await ming.press_data(mine, approve_data)
    assert ming.toasts()[-1] == DENIED
    await ming.press_data(mine, reject_data)
    assert ming.toasts()[-1] == DENIED
    await ming.send("/transfers")
    assert ming.last_message().text == DENIED
    assert await _member_unit(db, ming) == "S01-01"
    assert [r["state"] for r in await _transfers(db)] == ["pending"]
    denials = await db.fetch_all(
        "SELECT actor_user_id FROM audit_log WHERE action = 'access.denied'"
    )
    assert [d["actor_user_id"] for d in denials] == [ming.id] * 3


async def test_a_decision_pressed_twice_applies_once(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    wu = await person(telegram, "吴书记")
    await appoint(db, wu, "S02-01", Role.BRANCH_SECRETARY)
    await _ask_to_move(ming)
    await wang.refresh()
    notice = wang.last_message()
    await wang.press(APPROVE)
    # A second tap that was already on its way, and 不同意 after the approval.
    await wang.press_data(notice.message_id, notice.button_data[0][0])
    assert wang.toasts()[-1] == SETTLED
    await wang.press_data(notice.message_id, notice.button_data[0][1])
    assert wang.toasts()[-1] == SETTLED
    # Still the approval, not replaced by the settled card.
    assert wang.last_message().text.endswith(
        "✅ 您已同意，张晓明 的组织关系已转入 " + TARGET + "。"
    )
    # The other secretary of the branch had the same buttons.
    await wu.refresh()
    assert wu.last_message().text == f"✅ 张晓明 的组织关系已由 {HOME} 转入 {TARGET}。"
    copy = next(m for m in reversed(wu.messages()) if m.buttons)
    await wu.press(APPROVE)
    assert wu.toasts()[-1] == SETTLED
    rewritten = next(m for m in wu.messages() if m.message_id == copy.message_id)
    assert rewritten.text.endswith("该申请已处理：已同意。")
    assert rewritten.buttons == []

    actions = await audit_actions(db)
    assert actions.count("transfer.approved") == 1
    assert actions.count("member.transferred") == 1
    assert "transfer.rejected" not in actions
    assert await _version(db, ming) == 2


async def test_the_members_own_branch_or_a_non_branch_is_refused(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    await ming.send("/transfer")
    picker = ming.last_message()
    home = await unit_id(db, "S01-01")
    street = await unit_id(db, "S02")
    await ming.press_data(picker.message_id, f"tr:pick:{home}")
    assert ming.toasts()[-1] == "您的组织关系已在湖滨社区团支部，请选择其他团支部。"
    await ming.press_data(picker.message_id, f"tr:ok:{home}")
    assert ming.toasts()[-1] == "您的组织关系已在湖滨社区团支部，请选择其他团支部。"
    await ming.press_data(picker.message_id, f"tr:ok:{street}")
    assert ming.toasts()[-1].startswith("“西城街道团工委”不是团支部")
    await ming.press_data(picker.message_id, "tr:ok:99999")
    await ming.press_data(picker.message_id, "tr:ok:abc")
    await ming.press_data(picker.message_id, "tr:open:abc")
    assert ming.toasts()[-1] == "这个按钮已经失效了。发送 /start 或 /help 继续。"
    assert await _transfers(db) == []
    await wang.refresh()
    assert not any("转接申请" in m.text for m in wang.messages())
    assert not any("出了点问题" in m.text for m in ming.messages())


async def test_a_second_request_waits_for_the_first(telegram, db):
    ming, _, _ = await _setup(telegram, db)
    await ming.send("/transfer")
    await ming.press("桃源社区团支部")
    confirm = ming.last_message()
    await _ask_to_move(ming)
    # The confirmation of the earlier choice, pressed now.
    await ming.press_data(confirm.message_id, confirm.button_data[0][0])
    assert ming.toasts()[-1].startswith("您已有一份待审批的转接申请")
    assert [(r["to_code"], r["state"]) for r in await _transfers(db)] == [("S02-01", "pending")]


async def test_someone_not_registered_is_asked_to_register_first(telegram, db):
    stranger = await person(telegram, "路人")
    await stranger.send("/transfer")
    assert stranger.last_message().text == (
        "办理组织关系转接需要先登记。请发送 /start 完成登记后，再发送 /transfer。"
    )
    await stranger.press_data(stranger.last_message().message_id, "tr:pick:5")
    assert stranger.toasts()[-1].startswith("办理组织关系转接需要先登记")


async def _seed_requests(db: Database, count: int) -> None:
    """Members who asked to move into 西城社区团支部, made through the repositories."""
    members, transfers = MemberRepository(db), TransferRepository(db)
    home, target = await unit_id(db, "S01-02"), await unit_id(db, "S02-01")
    for number in range(count):
        at = datetime(2026, 11, 20, 1, number, tzinfo=UTC)
        member = await members.register(
            telegram_user_id=800_000 + number,
            profile=MemberProfile(
                name=f"团员{number:02d}",
                phone=f"1380013{number:04d}",
                birth_date=date(2001, 5, 4),
                org_unit_id=home,
                status=MemberStatus.LEAGUE_MEMBER,
                league_join_date=date(2016, 5, 4),
            ),
            consent_at=at,
            now=at,
        )
        await transfers.create(
            member_id=member.id,
            from_unit_id=home,
            to_unit_id=target,
            actor_user_id=800_000 + number,
            now=at,
        )


async def test_transfers_lists_pending_requests_in_the_cadres_scope_a_page_at_a_time(telegram, db):
    await _seed_requests(db, 6)
    street = await person(telegram, "西城街道干部")
    await appoint(db, street, "S02", Role.COMMITTEE_CADRE)
    await street.send("/transfers")
    shown = street.messages()[-7:]
    assert shown[0].text == "待审批的组织关系转接申请：共 6 件（第 1/2 页）"
    assert ["申请人：团员00" in m.text for m in shown[1:6]] == [True, False, False, False, False]
    assert all(m.buttons == [[APPROVE, REJECT]] for m in shown[1:6])
    assert shown[6].text == "以上是第 1/2 页。"
    assert shown[6].buttons == [["下一页 »"]]
    await street.press("下一页 »")
    assert street.messages()[-4].buttons == []
    assert street.messages()[-3].text == "待审批的组织关系转接申请：共 6 件（第 2/2 页）"
    assert "申请人：团员05" in street.messages()[-2].text
    assert street.last_message().buttons == [["« 上一页"]]
    # A street cadre decides for the branches of the street, from the list.
    await street.press(APPROVE)
    assert "团员05" in street.messages()[-2].text
    assert street.messages()[-2].text.endswith(
        "✅ 您已同意，团员05 的组织关系已转入 " + TARGET + "。"
    )
    await street.send("/transfers")
    assert street.messages()[-6].text == "待审批的组织关系转接申请：共 5 件（第 1/1 页）"
    # No paging when everything fits on one page.
    assert street.last_message().buttons == [[APPROVE, REJECT]]


async def test_a_cadres_awaited_reason_survives_a_restart(sandbox, demo_db, clock):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            ming, _, wang = await _setup(telegram, db)
            await _ask_to_move(ming)
            await wang.refresh()
            await wang.press(REJECT)
            await telegram.close()

        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            await wang.send(REASON)
            assert wang.last_message().text.startswith("❌ 已不同意 张晓明")
            await telegram.close()
        assert [(r["state"], r["comment"]) for r in await _transfers(db)] == [("rejected", REASON)]


async def test_a_reason_awaited_by_the_bot_before_the_upgrade_is_taken_after_it(
    sandbox, demo_db, clock
):
    """A wait stored by the version before the wizard kit, whose drafts held the awaited
    reason bare, is resumed by this one."""
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            ming, _, wang = await _setup(telegram, db)
            await _ask_to_move(ming)
            await wang.refresh()
            notice = wang.last_message()
            await telegram.close()
        # What the earlier version wrote when 不同意 was pressed on that message.
        old_wait = {"transfer_id": await _newest_transfer_id(db), "message_id": notice.message_id}
        await db.execute(
            "INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)"
            " VALUES ('transfer_reason', ?, ?, 'reason', ?, 'a1b2c3', ?)",
            (wang.id, wang.id, json.dumps(old_wait), START.isoformat()),
        )

        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            await wang.send(REASON)
            assert wang.last_message().text == (
                "❌ 已不同意 张晓明 的组织关系转接申请，已通知申请人。"
            )
            rewritten = next(m for m in wang.messages() if m.message_id == notice.message_id)
            assert rewritten.text.endswith(f"❌ 您已不同意，已通知申请人。\n理由：{REASON}")
            await telegram.close()
        assert [(r["state"], r["comment"]) for r in await _transfers(db)] == [("rejected", REASON)]
        assert await db.fetch_one("SELECT * FROM drafts WHERE user_id = ?", (wang.id,)) is None


async def test_each_person_is_told_in_their_own_language(telegram, db):
    ming = await person(telegram, "张晓明")
    await register(ming, branch="湖滨社区团支部")
    tom = await person(telegram, "Tom", language="en")
    await appoint(db, tom, "S02-01", Role.BRANCH_SECRETARY)
    await _ask_to_move(ming)
    await tom.refresh()
    notice = tom.last_message()
    assert notice.text.startswith("📨 A new branch transfer request needs your decision.")
    assert "From: " + HOME in notice.text
    assert notice.buttons == [["✅ Approve", "❌ Reject"]]
    await tom.press("❌ Reject")
    await tom.send("Please ask the street committee first")
    assert tom.last_message().text == "❌ You rejected the request of 张晓明; the member was told."
    await ming.refresh()
    assert ming.last_message().text.startswith(f"您转入 {TARGET} 的组织关系转接申请未获同意。")


async def test_the_reason_goes_to_the_request_whose_rejection_was_pressed_last(telegram, db):
    await _seed_requests(db, 2)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S02-01", Role.BRANCH_SECRETARY)
    await wang.send("/transfers")
    first, second = wang.messages()[-2:]
    await wang.press_button(first.message_id, first.button_data[0][1])
    await wang.press_button(second.message_id, second.button_data[0][1])
    await wang.send(REASON)
    assert wang.last_message().text == "❌ 已不同意 团员01 的组织关系转接申请，已通知申请人。"
    # « 返回 on the first prompt brings its buttons back; it is still pending.
    first_prompt = next(m for m in wang.messages() if m.message_id == first.message_id)
    await wang.press_button(first.message_id, first_prompt.button_data[1][0])
    restored = next(m for m in wang.messages() if m.message_id == first.message_id)
    assert restored.buttons == [[APPROVE, REJECT]]
    rows = await _transfers(db)
    assert [(r["state"], r["comment"]) for r in rows] == [("pending", None), ("rejected", REASON)]


async def test_the_buttons_of_an_older_prompt_leave_the_newer_reason_awaited(telegram, db):
    await _seed_requests(db, 3)
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S02-01", Role.BRANCH_SECRETARY)
    await wang.send("/transfers")
    first, second, third = wang.messages()[-3:]
    await wang.press_button(first.message_id, first.button_data[0][1])
    await wang.press_button(second.message_id, second.button_data[0][1])
    await wang.press_button(third.message_id, third.button_data[0][1])
    # 不填理由 on the first prompt and « 返回 on the second: the third's reason is still awaited.
    first_prompt = next(m for m in wang.messages() if m.message_id == first.message_id)
    await wang.press_button(first.message_id, first_prompt.button_data[0][0])
    second_prompt = next(m for m in wang.messages() if m.message_id == second.message_id)
    await wang.press_button(second.message_id, second_prompt.button_data[1][0])
    await wang.send(REASON)
    assert wang.last_message().text == "❌ 已不同意 团员02 的组织关系转接申请，已通知申请人。"
    rows = await _transfers(db)
    assert [(r["state"], r["comment"]) for r in rows] == [
        ("rejected", None),
        ("pending", None),
        ("rejected", REASON),
    ]
    assert await db.fetch_one("SELECT * FROM drafts WHERE user_id = ?", (wang.id,)) is None


async def test_a_file_while_the_reason_is_awaited_asks_for_text(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    await _ask_to_move(ming)
    await wang.refresh()
    await wang.press(REJECT)
    prompt = wang.last_message()
    await wang.send_document("理由.txt", REASON.encode())
    assert wang.last_message().text == ("请用文字回复不同意的理由，或点击“不填理由，直接不同意”。")
    # Only the hint: the question is still on screen above it.
    assert [m for m in wang.messages() if m.from_bot][-2].message_id == prompt.message_id
    await wang.send(REASON)
    assert wang.last_message().text == "❌ 已不同意 张晓明 的组织关系转接申请，已通知申请人。"
    # /help while nothing is awaited is the general one.
    await wang.send("/help")
    assert "/transfers" in wang.last_message().text


async def test_a_reason_for_a_request_another_cadre_decided_meanwhile_changes_nothing(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    wu = await person(telegram, "吴书记")
    await appoint(db, wu, "S02-01", Role.BRANCH_SECRETARY)
    await _ask_to_move(ming)
    await wang.refresh()
    notice = wang.last_message()
    await wang.press(REJECT)
    await wu.refresh()
    await wu.press(APPROVE)
    await wang.send(REASON)
    assert wang.last_message().text == SETTLED
    rewritten = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert rewritten.text.endswith("该申请已处理：已同意。")
    assert rewritten.buttons == []
    assert [(r["state"], r["comment"]) for r in await _transfers(db)] == [("approved", None)]
    assert await db.fetch_one("SELECT * FROM drafts WHERE user_id = ?", (wang.id,)) is None
    await wang.send("谢谢")
    assert wang.last_message().text.startswith("我没有理解这条消息")


async def test_cancelling_a_reason_for_a_request_decided_meanwhile_shows_it_settled(telegram, db):
    ming, _, wang = await _setup(telegram, db)
    wu = await person(telegram, "吴书记")
    await appoint(db, wu, "S02-01", Role.BRANCH_SECRETARY)
    await _ask_to_move(ming)
    await wang.refresh()
    notice = wang.last_message()
    await wang.press(REJECT)
    # While the reason is awaited, /transfers still lists what is pending.
    await wang.send("/transfers")
    assert wang.messages()[-2].text == "待审批的组织关系转接申请：共 1 件（第 1/1 页）"
    await wu.refresh()
    await wu.press(APPROVE)
    await wang.send("/cancel")
    assert wang.last_message().text == "已取消填写理由，该申请仍待审批。"
    rewritten = next(m for m in wang.messages() if m.message_id == notice.message_id)
    assert rewritten.text.endswith("该申请已处理：已同意。")
    assert rewritten.buttons == []
    await wang.send("/cancel")
    assert wang.last_message().text == "当前没有需要退出的操作。"
