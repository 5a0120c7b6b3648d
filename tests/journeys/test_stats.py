"""/stats end to end: a cadre gets one chart (a valid PNG with Chinese labels drawn in a CJK
font) and a summary whose figures match the database for a seeded scope, drills into a branch
and back up; people outside the scope are refused and the attempt is audited."""

from __future__ import annotations

import warnings
from datetime import timedelta
from functools import partial

from bot.domain.admin.stats import StatsScreen
from bot.domain.authz import Role
from bot.domain.models import Language
from bot.files.charts import FONT_FAMILY, render_png
from bot.i18n import Translator
from handlers.admin.buttons import StatsButton
from handlers.admin.stats_screens import chart, fit_lines
from sandbox.client import SandboxClient
from storage.database import Database
from tests.conftest import ADMIN_ID, START
from tests.journeys.cadre_steps import audit_actions, unit_id
from tests.journeys.figures_steps import (
    add_campaign,
    add_members,
    add_training,
    make_cadre,
    nominate,
    png_size,
)
from tests.journeys.steps import person
from tests.journeys.training_steps import file_of

ZH = partial(Translator().t, Language.ZH)


async def seed(db: Database, *, secretary: int, committee: int) -> None:
    """东湖 street (S01): 17 people, 14 on rosters (8 linked), 3 cadres, 2 trainings held,
    3 nominations; and one branch of another street that must never be counted."""
    s0101 = await add_members(db, "S01-01", 8, prefix="湖滨团员", linked_from=7_000_000)
    await db.execute(
        "UPDATE members SET telegram_user_id = NULL WHERE id IN (?, ?)", (s0101[6], s0101[7])
    )
    await add_members(
        db,
        "S01-01",
        2,
        prefix="湖滨青年",
        status="youth",
        source="self",
        review_state="pending",
        phone_base=13_710_000_000,
    )
    s0102 = await add_members(db, "S01-02", 4, prefix="桃源团员", phone_base=13_720_000_000)
    await add_members(
        db,
        "S01-02",
        1,
        prefix="桃源青年",
        status="youth",
        source="self",
        birth_date=None,
        phone_base=13_730_000_000,
    )
    other = await add_members(db, "S02-01", 5, prefix="西城团员", phone_base=13_740_000_000)
    await make_cadre(
        db, secretary, "S01-01", Role.BRANCH_SECRETARY, name="王书记", birth_date="1998-03-01"
    )
    await make_cadre(
        db,
        committee,
        "S01",
        Role.COMMITTEE_CADRE,
        name="赵书记",
        birth_date="1996-12-01",
        member_code="S01-03",
    )
    # A cadre who never registered as a member: counted, with no age.
    await db.execute(
        "INSERT INTO roles (telegram_user_id, org_unit_id, role, granted_at)"
        " VALUES (7100001, ?, 'branch_secretary', ?)",
        (await unit_id(db, "S01-02"), START.isoformat()),
    )
    await add_training(
        db, "S01-01", title="支部学习", attended=s0101[:5], no_show=[s0101[5]], hours_tenths=20
    )
    await add_training(db, "S01", title="团校第一期", attended=s0102[:3], hours_tenths=15)
    await add_training(
        db,
        "S01",
        title="青年夜校",
        attended=[],
        state="published",
        starts=START + timedelta(days=5),
    )
    await add_training(db, "S02-01", title="西城学习", attended=other[:4], hours_tenths=30)
    campaign = await add_campaign(db)
    await nominate(db, campaign, s0101[0], nominator=secretary)
    await nominate(db, campaign, s0101[1], nominator=secretary, branch_passed=True, yes_votes=12)
    await nominate(db, campaign, s0102[0], nominator=secretary)
    await nominate(db, campaign, other[0], nominator=ADMIN_ID)


async def scope_count(db: Database, code: str, where: str = "1") -> int:
    row = await db.fetch_one(
        f"""SELECT COUNT(*) AS n FROM members m JOIN org_units u ON u.id = m.org_unit_id
        WHERE m.deleted = 0 AND ({where})
          AND u.path LIKE (SELECT path FROM org_units WHERE code = ?) || '%'""",
        (code,),
    )
    assert row is not None
    return int(row["n"])


async def test_a_street_cadre_gets_a_chart_and_figures_that_match_the_database(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    zhao = await person(telegram, "赵书记")
    await seed(db, secretary=wang.id, committee=zhao.id)
    await zhao.send("/help")
    assert "/stats" in zhao.last_message().text

    await zhao.send("/stats")
    shown = zhao.last_message()
    assert shown.photo is not None
    png = await file_of(telegram, shown)
    width, height = png_size(png)
    assert (width, height) == (1300, 910) and len(png) > 20_000
    caption = shown.caption or ""
    # Every figure against the database, counted here independently of the bot's queries.
    total = await scope_count(db, "S01")
    league = await scope_count(db, "S01", "m.status = 'league_member'")
    cadres = await scope_count(db, "S01", "m.status = 'league_cadre'")
    youth = await scope_count(db, "S01", "m.status = 'youth'")
    roster = await scope_count(db, "S01", "m.source = 'roster'")
    linked = await scope_count(db, "S01", "m.source = 'roster' AND m.telegram_user_id IS NOT NULL")
    pending = await scope_count(db, "S01", "m.review_state = 'pending'")
    assert (total, league, cadres, youth, roster, linked, pending) == (17, 12, 2, 3, 14, 8, 2)
    assert "示例区团区委 › 东湖街道团工委" in caption and "截至 2026-11-28" in caption
    assert f"团员青年 {total} 人：共青团员 {league} · 团干部 {cadres} · 青年 {youth}" in caption
    assert f"待确认登记 {pending} 人" in caption
    assert f"名册登记覆盖率 57.1%（已登记 {linked} / 名册 {roster} 人）" in caption
    # 王书记 is 28 and 赵书记 29 today; the third cadre has no member record.
    assert "团干部 3 人，平均年龄 28.5 岁（1 人未填出生日期，未计入）" in caption
    assert "未填出生日期 1 人" in caption
    hours = await db.fetch_one(
        """SELECT COUNT(*) AS n, SUM(e.hours_tenths) AS tenths FROM enrolments e
        JOIN trainings t ON t.id = e.training_id JOIN org_units u ON u.id = t.audience_unit_id
        WHERE e.state = 'attended' AND u.path LIKE (SELECT path FROM org_units WHERE code = 'S01')
        || '%'"""
    )
    assert hours is not None and (hours["n"], hours["tenths"]) == (8, 145)
    assert "已举办培训 2 场，参训 8 人次，累计 14.5 学时；即将开始 1 场" in caption
    assert "进行中的推优与评选 1 项，涉及 3 人：待支部审议 2 · 支部已通过 1" in caption
    assert len(caption) <= 1024
    assert shown.buttons[:2] == [
        ["湖滨社区团支部 · 11", "桃源社区团支部 · 5"],
        ["翠苑社区团支部 · 1", "东湖新村社区团支部 · 0"],
    ]

    # Drill into a branch: its chart takes the street's place in the same message; then back up.
    await zhao.press("湖滨社区团支部 · 11")
    branch = zhao.last_message()
    assert branch.photo is not None and branch.message_id == shown.message_id
    assert branch.photo.file_id != shown.photo.file_id
    assert [m.message_id for m in zhao.messages() if m.photo] == [shown.message_id]
    assert "东湖街道团工委 › 湖滨社区团支部" in (branch.caption or "")
    assert "团员青年 11 人：共青团员 8 · 团干部 1 · 青年 2" in (branch.caption or "")
    assert "名册登记覆盖率 77.8%（已登记 7 / 名册 9 人）" in (branch.caption or "")
    assert "已举办培训 1 场，参训 5 人次，累计 10 学时" in (branch.caption or "")
    await zhao.press("⬆️ 返回上一级")
    back = zhao.last_message()
    assert back.message_id == shown.message_id
    assert f"团员青年 {total} 人" in (back.caption or "")
    assert back.buttons[:2] == shown.buttons[:2]


async def test_the_chart_draws_every_chinese_label_with_the_cjk_font(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    zhao = await person(telegram, "赵书记")
    await seed(db, secretary=wang.id, committee=zhao.id)
    screen = await bot.bot_data.services.stats.open(zhao.id)
    assert isinstance(screen, StatsScreen)
    drawn = chart(ZH, screen.stats)
    assert FONT_FAMILY == "Noto Sans CJK SC"
    assert drawn.panels[0].labels == ["共青团员", "团干部", "青年"]
    assert drawn.panels[3].labels == ["≤17", "18–22", "23–28", "29–35", "36+"]
    assert drawn.panels[3].values == [0, 0, 15, 1, 0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_png(drawn)
    # matplotlib warns "Glyph ... missing from font(s)" for every character it drew as a box.
    assert [str(w.message) for w in caught] == []
    assert png_size(png) == (1300, 910)


async def test_a_branch_secretary_sees_only_their_branch_and_members_are_refused(
    telegram: SandboxClient, bot, db, clock
):
    wang = await person(telegram, "王书记")
    zhao = await person(telegram, "赵书记")
    await seed(db, secretary=wang.id, committee=zhao.id)
    await wang.send("/stats")
    mine = wang.last_message()
    assert "团员青年 11 人" in (mine.caption or "")
    labels = [label for row in mine.buttons for label in row]
    assert "⬆️ 返回上一级" not in labels and "🔄 刷新" in labels
    # A forged button for the street above is refused, audited, and changes nothing.
    street = await unit_id(db, "S01")
    await wang.press_data(mine.message_id, StatsButton(unit_id=street).pack())
    assert any("没有权限" in toast for toast in wang.toasts())
    assert wang.last_message().message_id == mine.message_id
    assert "access.denied" in await audit_actions(db)

    visitor = await person(telegram, "路人")
    await visitor.send("/stats")
    assert "没有权限" in visitor.last_message().text
    assert not any(m.photo for m in visitor.messages())


async def test_an_admin_with_an_empty_district_gets_a_chart_that_says_so(
    telegram: SandboxClient, bot, db, clock
):
    boss = await telegram.user("区团委管理员", user_id=ADMIN_ID)
    await boss.send("/stats")
    shown = boss.last_message()
    assert shown.photo is not None
    caption = shown.caption or ""
    assert "示例区团区委" in caption and "团员青年 0 人" in caption
    assert "尚未导入团员名册" in caption and "暂无进行中的推优与评选" in caption
    assert "东湖街道团工委 · 0" in [label for row in shown.buttons for label in row]


async def test_unit_names_with_html_characters_show_exactly_and_the_caption_fits(
    telegram: SandboxClient, bot, db, clock
):
    zhao = await person(telegram, "赵书记")
    await make_cadre(
        db,
        zhao.id,
        "S01",
        Role.COMMITTEE_CADRE,
        name="赵书记",
        birth_date=None,
        member_code="S01-03",
    )
    await db.execute("UPDATE org_units SET name = '湖滨<社区>&团支部' WHERE code = 'S01-01'")
    await zhao.send("/stats")
    shown = zhao.last_message()
    assert "湖滨<社区>&团支部 · 0" in [label for row in shown.buttons for label in row]
    await zhao.press("湖滨<社区>&团支部 · 0")
    assert "东湖街道团工委 › 湖滨<社区>&团支部" in (zhao.last_message().caption or "")


def test_a_long_summary_is_cut_at_a_whole_line_within_the_caption_limit():
    lines = [f"<b>第{i}行</b> " + "字" * 90 for i in range(20)]
    cut = fit_lines(lines, 1024)
    kept = cut.split("\n")
    assert kept == lines[: len(kept)] and 0 < len(kept) < 20
    visible = cut.replace("<b>", "").replace("</b>", "")
    assert len(visible) <= 1024 < len(visible) + 1 + len(lines[len(kept)]) - 7
