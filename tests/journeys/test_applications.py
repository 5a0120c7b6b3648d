"""Applying and nominating end to end: eligibility checked rule by rule in the chat, the Party
application date recorded, the form with a photo and a document, one nomination however often
提交 is pressed, nothing after the close, revising a returned nomination, a cadre's nomination
and its notice to the nominee, and a restart in the middle of the form."""

from __future__ import annotations

from datetime import timedelta

from bot.app import running_bot
from bot.domain.authz import Role
from bot.domain.nominations.campaigns import CampaignKind
from handlers.nominations.buttons import ApplyToCampaign, NominationView, ReviseNomination
from sandbox.client import SandboxClient
from storage.database import Database
from tests.conftest import bot_settings, settle_with
from tests.journeys.cadre_steps import admin, appoint, audit_actions
from tests.journeys.nomination_steps import (
    PNG,
    REASON,
    TITLE,
    apply_in_chat,
    count,
    member,
    nominate,
    nomination_of,
    open_campaign,
    open_page,
    return_for_revision,
)
from tests.journeys.steps import person

NOMINATIONS = "SELECT COUNT(*) FROM nominations"


async def test_a_member_sees_every_rule_that_fails_and_records_the_party_application_date(
    telegram: SandboxClient, bot, db, clock
):
    await open_campaign(bot)
    xiao = await member(
        telegram,
        db,
        "王小",
        phone="13800138000",
        birth="2010-01-01",
        joined="2026-03-01",
        party=None,
    )
    await open_page(xiao)
    await xiao.press("🔍 检查资格")
    check = xiao.last_message().text
    assert "资格检查\n❌ 暂不符合条件：" in check
    assert "· 年龄不足 18 周岁：出生日期 2010-01-01（现 16 岁）" in check
    assert "· 团龄不足 1 年：入团时间 2026-03-01" in check
    assert "· 未登记入党申请时间" in check
    assert "✍️ 申请" not in str(xiao.last_message().buttons)

    await xiao.press("📝 登记入党申请时间")
    assert "递交入党申请书的日期" in xiao.last_message().text
    await xiao.send("去年")
    assert "无法识别这个日期" in xiao.last_message().text
    await xiao.send("2027-01-01")
    assert xiao.last_message().text == "这个日期还没有到，请发送过去的日期。"
    await xiao.send("2009-12-31")
    assert xiao.last_message().text == (
        "入党申请时间不能早于出生日期（2010-01-01），请检查后重新发送。"
    )
    await xiao.send("2026年8月1日")
    assert xiao.messages()[-2].text == "✅ 入党申请时间已登记。"
    check = xiao.last_message().text
    assert "· 未登记入党申请时间" not in check
    assert "· 递交入党申请书不满 6 个月：申请时间 2026-08-01（2027-02-01 起符合）" in check
    assert "member.party_application_recorded" in await audit_actions(db)
    row = await db.fetch_one(
        "SELECT party_application_date FROM members WHERE telegram_user_id = ?", (xiao.id,)
    )
    assert row["party_application_date"] == "2026-08-01"

    # A member missing dates is pointed to /profile; one who qualifies is told so.
    bare = await member(telegram, db, "刘刚", phone="13800138001", joined=None)
    await open_page(bare)
    await bare.press("🔍 检查资格")
    assert "· 未填写入团时间" in bare.last_message().text
    assert "请发送 /profile 补充出生日期或入团时间后再检查。" in bare.last_message().text
    ming = await member(telegram, db, "张晓明", phone="13800138002")
    await open_page(ming)
    await ming.press("🔍 检查资格")
    assert "✅ 符合条件，可以申请。" in ming.last_message().text
    assert "✍️ 申请" in str(ming.last_message().buttons)


async def test_an_application_with_a_photo_and_a_document_is_stored_and_the_secretary_is_told(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    await open_campaign(bot)
    await open_page(ming)
    await ming.press("✍️ 申请")
    assert "请填写申请理由（最多 1000 字）" in ming.last_message().text
    await ming.send_photo(PNG)
    assert ming.messages()[-2].text == "请先用文字发送申请理由，之后再发送照片或文件。"
    await ming.send("好" * 1001)
    assert ming.last_message().text == "理由最多 1000 字，您发送了 1001 字，请精简后重新发送。"
    await ming.send(REASON)
    assert "证明材料" in ming.last_message().text
    assert ming.last_message().buttons == [["跳过"], ["✖️ 放弃"]]
    await ming.send("证书在路上")
    assert "这里请发送照片或文件（最多 5 份）" in ming.messages()[-2].text
    await ming.send_photo(PNG)
    assert ming.last_message().text.startswith("📎 已收到第 1 份材料（照片）")
    await ming.send_document("志愿服务证明.pdf", b"%PDF-1.4\n%test\n", "application/pdf")
    assert ming.last_message().text.startswith("📎 已收到第 2 份材料（志愿服务证明.pdf）")
    await ming.press("✅ 完成")
    summary = ming.last_message().text
    assert "被推荐人：张晓明" in summary and f"理由：{REASON}" in summary
    assert "证明材料：2 份" in summary and "· 志愿服务证明.pdf" in summary
    await ming.press("✅ 提交")
    assert ming.last_message().text.startswith("✅ 申请已提交！")
    assert ming.last_message().buttons == [["📄 我的申请"]]
    assert ming.messages()[-2].text.endswith("✅ 已提交")

    row = await db.fetch_one("SELECT * FROM nominations")
    assert (row["state"], row["self_applied"], row["reason"]) == ("submitted", 1, REASON)
    assert row["nominator_user_id"] == ming.id and row["version"] == 1
    files = await db.fetch_all(
        "SELECT kind, file_name FROM nomination_attachments WHERE nomination_id = ? ORDER BY id",
        (row["id"],),
    )
    assert [(f["kind"], f["file_name"]) for f in files] == [
        ("photo", ""),
        ("document", "志愿服务证明.pdf"),
    ]
    assert "nomination.create" in await audit_actions(db)
    await wang.refresh()
    assert wang.last_message().text == (
        f"📥 “{TITLE}”：张晓明 的推优材料已提交，等待审核。发送 /review 处理。"
    )
    await open_page(ming)
    page = ming.last_message()
    assert "我的状态：已提交，待审核" in page.text
    assert "✍️ 申请" not in str(page.buttons) and "📄 我的申请" in str(page.buttons)


async def test_only_pictures_pdf_and_office_files_of_bounded_size_are_kept(
    telegram: SandboxClient, bot, db, clock
):
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    await open_campaign(bot)
    await open_page(ming)
    await ming.press("✍️ 申请")
    await ming.send(REASON)
    refused = "不是图片、PDF 或 Office 文档（Word、Excel、PowerPoint），未保存"
    for name, mime in (
        ("setup.exe", "application/x-msdownload"),
        ("证书.pdf", "application/x-msdownload"),
        ("<b>脚本</b>.html", "text/html"),
    ):
        await ming.send_document(name, b"MZ\x90\x00", mime)
        assert refused in ming.last_message().text
    assert "“&lt;b&gt;脚本&lt;/b&gt;.html”" in ming.last_message().html
    await ming.send_document(
        "大文件.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "application/pdf"
    )
    assert ming.last_message().text.startswith("这份材料有 11.0 MB，超过每份 10 MB 的上限，未保存")
    await ming.send_document("志愿服务证明.docx", b"PK\x03\x04", "application/octet-stream")
    assert ming.last_message().text.startswith("📎 已收到第 1 份材料（志愿服务证明.docx）")
    await ming.press("✅ 完成")
    assert "证明材料：1 份" in ming.last_message().text


async def test_submitting_twice_or_applying_again_creates_one_nomination(
    telegram: SandboxClient, bot, db, clock
):
    # A branch without a secretary: the configured admins are told instead.
    boss = await admin(telegram)
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    campaign = await open_campaign(bot)
    await open_page(ming)
    await ming.press("✍️ 申请")
    await ming.send(REASON)
    await ming.press("跳过")
    summary = ming.last_message()
    submit = summary.button_data[0][0]
    await ming.press("✅ 提交")
    # A second tap that Telegram delivers before the edited summary arrives.
    await ming.press_data(summary.message_id, submit)
    assert ming.toasts()[-1].startswith("已提交，无需重复提交。")
    forged = ApplyToCampaign(campaign_id=campaign.id).pack()
    await ming.press_data(ming.last_message().message_id, forged)
    assert ming.toasts()[-1].startswith("已提交，无需重复提交。")
    assert await count(db, NOMINATIONS) == 1
    assert await count(db, "SELECT COUNT(*) FROM drafts WHERE journey = 'application'") == 0
    await boss.refresh()
    assert sum("张晓明 的推优材料已提交" in m.text for m in boss.messages()) == 1


async def test_a_forged_submit_tells_nobody_else_whether_a_member_has_a_nomination(
    telegram: SandboxClient, bot, db, clock
):
    await admin(telegram)
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    na = await member(telegram, db, "李娜", phone="13900139000")
    await open_campaign(bot)
    await open_page(ming)
    await ming.press("✍️ 申请")
    await ming.send(REASON)
    await ming.press("跳过")
    submit = ming.last_message().button_data[0][0]
    await ming.press("✅ 提交")
    row = await db.fetch_one("SELECT id FROM nominations")
    # 李娜 presses 张晓明's 提交 (and the revision of his nomination): the answer is the one
    # for a form that never existed, not "已提交".
    stale = "这个按钮已经失效了。发送 /start 或 /help 继续。"
    for data in (submit, submit.rsplit(":", 1)[0] + f":n{row['id']}"):
        await na.press_data(na.last_message().message_id, data)
        assert na.toasts()[-1] == stale
    await ming.press_data(ming.last_message().message_id, submit)
    assert ming.toasts()[-1].startswith("已提交，无需重复提交。")


async def test_an_application_is_refused_once_the_campaign_has_closed(
    telegram: SandboxClient, bot, db, clock
):
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    await open_campaign(bot, closes="2026-11-30")
    await open_page(ming)
    await ming.press("✍️ 申请")
    await ming.send(REASON)
    await ming.press("跳过")
    clock.advance(timedelta(days=3))
    await ming.press("✅ 提交")
    assert ming.toasts()[-1].startswith("这项活动现在不在申请时间内")
    assert await count(db, NOMINATIONS) == 0
    assert await count(db, "SELECT COUNT(*) FROM drafts WHERE journey = 'application'") == 0
    await ming.send("/campaigns")
    assert TITLE not in ming.last_message().text


async def test_a_returned_nomination_is_revised_and_resubmitted_once_for_the_version_shown(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    await open_campaign(bot)
    await open_page(ming)
    await ming.press("✍️ 申请")
    await ming.send(REASON)
    await ming.send_photo(PNG)
    await ming.send_document("旧证明.pdf", b"%PDF-old", "application/pdf")
    await ming.press("✅ 完成")
    await ming.press("✅ 提交")
    returned = await return_for_revision(db, await nomination_of(db, ming), clock=clock)
    revise = ReviseNomination(nomination_id=returned.id, version=returned.version).pack()

    # Nobody but the nominee revises it.
    na = await member(telegram, db, "李娜", phone="13800138001")
    await na.press_data(na.last_message().message_id, revise)
    assert na.toasts()[-1] == "只有被推荐人本人可以修改这份申请。"

    await ming.press_data(ming.last_message().message_id, revise)
    assert "退回修改" in ming.messages()[-2].text
    ask = ming.last_message()
    assert f"当前理由：\n{REASON}" in ask.text and ["↩️ 保留原理由"] in ask.buttons
    new_reason = REASON + "补充：2026 年获评区优秀共青团员。"
    await ming.send(new_reason)
    assert "目前已有 2 份材料" in ming.last_message().text
    await ming.press("🗑 清空材料重新上传")
    await ming.send_document("优秀团员证书.pdf", b"%PDF-new", "application/pdf")
    await ming.press("✅ 完成")
    assert "证明材料：1 份" in ming.last_message().text
    await ming.press("✅ 提交")
    assert ming.last_message().text == "✅ 修改后的申请已重新提交，等待审核。"

    nomination = await nomination_of(db, ming)
    assert (nomination.state.value, nomination.version, nomination.reason) == (
        "submitted",
        3,
        new_reason,
    )
    files = await db.fetch_all(
        "SELECT file_name FROM nomination_attachments WHERE nomination_id = ?", (nomination.id,)
    )
    assert [f["file_name"] for f in files] == ["优秀团员证书.pdf"]
    steps = await db.fetch_all(
        "SELECT step FROM nomination_events WHERE nomination_id = ? ORDER BY id", (nomination.id,)
    )
    assert [s["step"] for s in steps] == ["submit", "return", "resubmit"]
    actions = await audit_actions(db)
    assert "nomination.resubmit" in actions and "nomination.attachments_replaced" in actions
    await wang.refresh()
    assert wang.last_message().text.startswith(f"📥 “{TITLE}”：张晓明 已按要求修改并重新提交")

    # The old button changes nothing; returned again, a button of an older version is stale.
    await ming.press_data(ming.last_message().message_id, revise)
    assert ming.toasts()[-1].startswith("这份申请现在不需要修改")
    again = await return_for_revision(db, nomination, clock=clock)
    await ming.press_data(ming.last_message().message_id, revise)
    assert ming.toasts()[-1].startswith("这份申请在您修改期间已有新的变化")
    # Opened at the new version but returned meanwhile once more: the submit is refused.
    current = ReviseNomination(nomination_id=again.id, version=again.version).pack()
    await ming.press_data(ming.last_message().message_id, current)
    await ming.press("↩️ 保留原理由")
    await ming.press("✅ 完成")
    await db.execute("UPDATE nominations SET version = version + 1 WHERE id = ?", (again.id,))
    await ming.press("✅ 提交")
    assert ming.toasts()[-1].startswith("这份申请在您修改期间已有新的变化")
    assert (await nomination_of(db, ming)).state.value == "returned"


async def test_a_branch_secretary_nominates_an_eligible_member_who_is_told(
    telegram: SandboxClient, bot, db, clock
):
    wang = await member(telegram, db, "王书记", phone="13900139000")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    await member(telegram, db, "李娜", phone="13800138001", birth="1980-01-01")
    await member(telegram, db, "赵青", phone="13800138002", confirmed=False)
    await open_campaign(bot, kind=CampaignKind.HONOUR, title="2027年度五四奖章")
    # Members do not apply to this honour: the branch secretaries are told it opened.
    await wang.refresh()
    assert wang.last_message().text.startswith("📢 2027年度五四奖章 已开始")
    await ming.refresh()
    assert "五四奖章" not in ming.last_message().text
    await wang.press("👥 提名本支部团员")
    listing = wang.last_message()
    assert "提名团员 · 2027年度五四奖章\n湖滨社区团支部" in listing.text
    assert listing.buttons == [["✅ 张晓明"], ["❌ 李娜"], ["✅ 王书记"]]
    await wang.press("❌ 李娜")
    refusal = wang.last_message().text
    assert refusal.startswith("李娜 暂不符合本次活动的条件，不能提名：")
    assert "· 年龄超过 40 周岁：出生日期 1980-01-01（现 46 岁）" in refusal
    await wang.press("« 返回团员名单")
    await wang.press("✅ 王书记")
    assert wang.toasts()[-1].startswith("不能提名自己")

    await wang.press("✅ 张晓明")
    assert "提名 张晓明：2027年度五四奖章" in wang.last_message().text
    await wang.send(REASON)
    await wang.press("跳过")
    assert "被推荐人：张晓明" in wang.last_message().text
    await wang.press("✅ 提交")
    assert wang.last_message().text == "✅ 已提名 张晓明 参加“2027年度五四奖章”，已通知本人。"
    row = await db.fetch_one("SELECT * FROM nominations")
    assert (row["state"], row["self_applied"], row["nominator_user_id"]) == (
        "submitted",
        0,
        wang.id,
    )
    await ming.refresh()
    told = ming.last_message()
    assert told.text == "🎉 您已被团组织提名参加“2027年度五四奖章”。可点下方按钮查看进度。"
    assert told.buttons == [["📄 我的申请"]]
    await wang.send("/nominate")
    assert ["📝 张晓明"] in wang.last_message().buttons
    await wang.press("📝 张晓明")
    assert wang.toasts()[-1].startswith("已提交，无需重复提交。")
    assert await count(db, NOMINATIONS) == 1

    # The nominator sees the nomination's page while he holds the role, and not after.
    view = NominationView(nomination_id=row["id"]).pack()
    await wang.press_data(wang.last_message().message_id, view)
    assert "2027年度五四奖章" in wang.last_message().text
    await db.execute("DELETE FROM roles WHERE telegram_user_id = ?", (wang.id,))
    await wang.press_data(wang.last_message().message_id, view)
    assert "没有权限" in wang.toasts()[-1]


async def test_a_secretary_also_nominates_where_members_apply_but_never_one_who_applied(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    await appoint(db, wang, "S01-01", Role.BRANCH_SECRETARY)
    ming = await member(telegram, db, "张晓明", phone="13800138000")
    na = await member(telegram, db, "李娜", phone="13800138001")
    await open_campaign(bot)
    await apply_in_chat(ming)
    await nominate(wang, "李娜")
    await na.refresh()
    assert na.last_message().text.startswith("🎉 您已被团组织提名参加")
    await wang.send("/nominate")
    assert wang.last_message().buttons == [["📝 张晓明"], ["📝 李娜"]]
    await wang.press("📝 张晓明")
    assert wang.toasts()[-1].startswith("已提交，无需重复提交。")
    rows = await db.fetch_all("SELECT self_applied FROM nominations ORDER BY id")
    assert [r["self_applied"] for r in rows] == [1, 0]


async def test_a_restart_in_the_middle_of_the_form_resumes_at_the_same_step(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            ming = await member(telegram, db, "张晓明", phone="13800138000")
            await open_campaign(app)
            await open_page(ming)
            await ming.press("✍️ 申请")
            await ming.send(REASON)
            await ming.send_photo(PNG)
            await telegram.close()
        async with running_bot(settings, clock=clock, poll_timeout=1) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            ming = await telegram.user("张晓明", user_id=ming.id)
            # The attachments step is still open: a document is taken without pressing 申请.
            await ming.send_document("证明.pdf", b"%PDF-1.4", "application/pdf")
            assert ming.last_message().text.startswith("📎 已收到第 2 份材料（证明.pdf）")
            await ming.press("✅ 完成")
            assert f"理由：{REASON}" in ming.last_message().text
            await ming.press("✅ 提交")
            assert ming.last_message().text.startswith("✅ 申请已提交！")
            await telegram.close()
        assert await count(db, "SELECT COUNT(*) FROM nomination_attachments") == 2
        assert await count(db, "SELECT COUNT(*) FROM drafts WHERE journey = 'application'") == 0
