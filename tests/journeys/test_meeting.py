"""The branch meeting (团员大会) recorded in the chat: quorum and pass mark at their boundaries
(exactly half is never enough), the branch's quota and a tie for its last place, bad figures
refused where they are typed, and a recording left open across an upgrade of the bot."""

from __future__ import annotations

import json

from bot.app import running_bot
from sandbox.client import SandboxClient
from storage.database import Database
from tests.conftest import bot_settings, settle_with
from tests.journeys.cadre_steps import audit_actions
from tests.journeys.nomination_steps import TITLE, open_campaign
from tests.journeys.review_steps import (
    DENIED,
    cadres,
    candidate,
    from_bot,
    league_members,
    state_of,
    steps_of,
    submitted,
)

PICK = f"{TITLE} · 湖滨社区团支部"


async def _record(secretary, figures: list[str], *, pick: str) -> None:
    await secretary.send("/meeting")
    await secretary.press(pick)
    for figure in figures:
        await secretary.send(figure)


async def _candidates(telegram, db, bot, clock, names: list[str], *, members: int):
    """The candidates' nominations, submitted in this order, in a branch of `members`."""
    campaign = await open_campaign(bot)
    people = []
    for number, name in enumerate(names):
        person = await candidate(telegram, db, name, phone=f"1380013800{number}")
        people.append(person)
    await league_members(db, members - len(names))
    nominations = [await submitted(db, campaign, person, clock=clock) for person in people]
    return people, nominations


async def test_exactly_half_present_is_no_quorum_and_decides_nobody(telegram, bot, db, clock):
    wang, _, _ = await cadres(telegram, db)
    [ming], [nomination] = await _candidates(telegram, db, bot, clock, ["张晓明"], members=10)
    await _record(wang, ["10", "5", "5"], pick=f"{PICK}（1 人）")
    summary = wang.last_message().text
    assert "应到 10 人，实到 5 人：未超过应到人数的一半，会议无效，本次不作决定。" in summary
    assert "1. 张晓明：赞成 5 票 — 实到人数未超过应到人数的一半，会议无效" in summary
    await wang.press("✅ 确认保存")
    assert "通过 0 人，未通过 0 人，未作决定 1 人。" in wang.last_message().text
    assert await state_of(db, nomination.id) == ("submitted", 1)
    meeting = await db.fetch_one("SELECT entitled, present, places FROM branch_meetings")
    assert dict(meeting) == {"entitled": 10, "present": 5, "places": 2}
    vote = await db.fetch_one("SELECT yes_votes, passed, outcome FROM meeting_votes")
    assert dict(vote) == {"yes_votes": 5, "passed": 0, "outcome": "no_quorum"}
    assert "nomination.meeting_recorded" in await audit_actions(db)
    await ming.refresh()
    assert from_bot(ming, "本次未作出决定，您的申请仍在团支部，等待下次表决。")
    await ming.send("/nominations")
    await ming.press(f"1. {TITLE}")
    assert (
        "2026-11-28 16:00 · 团员大会表决：应到 10 人，实到 5 人，赞成 5 票 — "
        "实到人数未超过应到人数的一半，会议无效" in ming.last_message().text
    )
    # The candidate is still there for the next meeting, which has a quorum with one more.
    await _record(wang, ["10", "6", "6"], pick=f"{PICK}（1 人）")
    await wang.press("✅ 确认保存")
    assert (await state_of(db, nomination.id))[0] == "branch_passed"


async def test_yes_from_exactly_half_of_those_entitled_is_not_enough(telegram, bot, db, clock):
    wang, zhao, _ = await cadres(telegram, db)
    (ming, _), (first, second) = await _candidates(
        telegram, db, bot, clock, ["张晓明", "李华"], members=10
    )
    await _record(wang, ["10", "6", "5", "6"], pick=f"{PICK}（2 人）")
    summary = wang.last_message().text
    assert "1. 张晓明：赞成 5 票 — 赞成票未超过应到人数的一半，未通过" in summary
    assert "2. 李华：赞成 6 票 — 通过" in summary
    await wang.press("✅ 确认保存")
    assert (await state_of(db, first.id))[0] == "rejected"
    assert (await state_of(db, second.id))[0] == "branch_passed"
    assert (await steps_of(db, first.id))[-1] == (
        "reject",
        "branch",
        "团员大会：应到 10 人，实到 6 人，赞成 5 票，未超过应到人数的一半，未通过。",
    )
    await ming.refresh()
    assert ming.last_message().text.startswith("❌ 很遗憾，您在“")
    await zhao.refresh()
    assert zhao.last_message().text.startswith("📥 新的待审核推荐\n李华 · ")


async def test_the_quota_passes_the_best_voted_and_a_tie_for_the_last_place_decides_nobody(
    telegram, bot, db, clock
):
    wang, _, _ = await cadres(telegram, db)
    names = ["甲", "乙", "丙", "丁"]
    _, nominations = await _candidates(telegram, db, bot, clock, names, members=10)
    # Two places (20% of 10): 甲 leads, 乙 and 丙 tie for the second, 丁 has no majority.
    await _record(wang, ["10", "9", "9", "8", "8", "4"], pick=f"{PICK}（4 人）")
    summary = wang.last_message().text
    assert "本次最多 2 人" in summary
    assert "2. 乙：赞成 8 票 — 与其他候选人票数并列，需重新表决" in summary
    await wang.press("✅ 确认保存")
    states = [(await state_of(db, n.id))[0] for n in nominations]
    assert states == ["branch_passed", "submitted", "submitted", "rejected"]
    # The meeting votes again between the tied two, for the one place left.
    await _record(wang, ["10", "9", "7", "6"], pick=f"{PICK}（2 人）")
    summary = wang.last_message().text
    assert "已通过团支部 1 人，本次最多 1 人。" in summary
    assert "2. 丙：赞成 6 票 — 票数过半，但超出推荐名额" in summary
    await wang.press("✅ 确认保存")
    states = [(await state_of(db, n.id))[0] for n in nominations]
    assert states == ["branch_passed", "branch_passed", "submitted", "rejected"]
    outcomes = await db.fetch_all("SELECT outcome FROM meeting_votes ORDER BY meeting_id, rowid")
    assert [row["outcome"] for row in outcomes] == [
        "passed",
        "tied",
        "tied",
        "no_majority",
        "passed",
        "over_quota",
    ]
    # Nothing is left to vote on in a branch whose places are taken... but 丙 is still a
    # candidate, and a meeting can still be recorded: it would pass nobody.
    await _record(wang, ["10", "9", "9"], pick=f"{PICK}（1 人）")
    assert "本次最多 0 人" in wang.last_message().text
    assert "1. 丙：赞成 9 票 — 票数过半，但超出推荐名额" in wang.last_message().text


async def test_bad_figures_are_refused_and_the_same_figure_is_asked_again(telegram, bot, db, clock):
    wang, zhao, _ = await cadres(telegram, db)
    _, [nomination] = await _candidates(telegram, db, bot, clock, ["张晓明"], members=5)
    await wang.send("/meeting")
    await wang.press(f"{PICK}（1 人）")
    await wang.send("十")
    assert wang.last_message().text == "“十”不是整数。请只发送阿拉伯数字，例如 25。"
    await wang.send("0")
    assert wang.last_message().text == "应到人数至少为 1，请重新输入。"
    await wang.send("5")
    await wang.send("6")
    assert wang.last_message().text == "实到人数不能超过应到人数（5 人），请重新输入。"
    await wang.send("4")
    await wang.send("-1")
    assert wang.last_message().text == "“-1”不是整数。请只发送阿拉伯数字，例如 25。"
    await wang.send("5")
    assert wang.last_message().text == "赞成票数不能超过实到人数（4 人），请重新输入。"
    await wang.send("3")
    summary = wang.last_message()
    assert summary.buttons == [["✅ 确认保存"], ["✏️ 重新录入", "放弃"]]
    await wang.send("3")
    assert wang.last_message().text == "请使用上方消息中的按钮确认、重新录入或放弃。"
    await wang.press("放弃")
    [aborted] = [m for m in wang.messages() if m.message_id == summary.message_id]
    assert (aborted.text, aborted.buttons) == ("已放弃录入，未保存任何内容。", [])
    assert await state_of(db, nomination.id) == ("submitted", 1)
    assert await db.fetch_one("SELECT id FROM branch_meetings") is None
    # The street committee does not record a branch's meeting; a member may not at all.
    await zhao.send("/meeting")
    assert zhao.last_message().text == "目前没有等待团员大会表决的候选人。"
    hua = await candidate(telegram, db, "李华", phone="13800138009")
    await hua.send("/meeting")
    assert hua.last_message().text == DENIED


async def test_a_recording_left_open_before_the_upgrade_goes_on_from_its_figure(
    sandbox, demo_db, clock
):
    settings = bot_settings(sandbox.url, demo_db)
    async with Database(demo_db) as db:
        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang, _, _ = await cadres(telegram, db)
            names = ["张晓明", "李华"]
            _, (first, second) = await _candidates(telegram, db, app, clock, names, members=10)
            await telegram.close()
        # The recording as the bot stored it before the wizard kit, the draft itself as the
        # data: 应到 10, 实到 8 and 张晓明's 6 votes typed, 李华's asked.
        draft = {
            "campaign_id": first.campaign_id,
            "branch_id": first.branch_id,
            "candidates": [
                {"nomination_id": first.id, "version": 1, "name": "张晓明"},
                {"nomination_id": second.id, "version": 1, "name": "李华"},
            ],
            "entitled": 10,
            "present": 8,
            "votes": [6],
        }
        await db.execute(
            "INSERT INTO drafts (journey, chat_id, user_id, step, data, nonce, updated_at)"
            " VALUES ('meeting', ?, ?, 'votes', ?, 'c0ffee', ?)",
            (wang.id, wang.id, json.dumps(draft, ensure_ascii=False), clock.now().isoformat()),
        )

        async with running_bot(settings, clock=clock, poll_timeout=5) as app:
            telegram = SandboxClient(sandbox.url, settle=settle_with(app))
            wang = await telegram.user("王书记", user_id=wang.id)
            await wang.send("/meeting")
            resumed, question = [m.text for m in wang.messages()[-2:]]
            assert resumed == "您有一份未完成的团员大会录入，我们从上次的地方继续。"
            assert question.startswith("候选人 2/2：李华\n")
            await wang.send("4")
            summary = wang.last_message().text
            assert "应到 10 人，实到 8 人：超过应到人数的一半，会议有效。" in summary
            assert "1. 张晓明：赞成 6 票 — 通过" in summary
            assert "2. 李华：赞成 4 票 — 赞成票未超过应到人数的一半，未通过" in summary
            await wang.press("✅ 确认保存")
            assert "通过 1 人，未通过 1 人，未作决定 0 人。" in wang.last_message().text
            await telegram.close()
        assert (await state_of(db, first.id))[0] == "branch_passed"
        assert (await state_of(db, second.id))[0] == "rejected"
        assert await db.fetch_one("SELECT * FROM drafts WHERE journey = 'meeting'") is None
