"""Campaigns in the chat: /campaigns lists the campaigns a person takes part in; a campaign's
page shows its rules and the person's state, checks eligibility rule by rule, records the Party
application date (a one-question conversation), and leads to 申请 or, for cadres, to /nominate
(the branch's members with ✅/❌)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import BaseHandler

from bot.context import LeagueContext
from bot.domain.nominations.participation import PartyDateStep
from bot.services.nominations.campaigns import PARTY_DATE_JOURNEY
from handlers.kit.question import question
from handlers.kit.replies import answer_and_edit, send
from handlers.kit.routes import Press, Said, on_command, on_press
from handlers.kit.wizard import END
from handlers.nominations import campaign_screens as screens
from handlers.nominations.buttons import (
    CampaignCheck,
    CampaignList,
    CampaignOpen,
    CampaignPartyDate,
    NominateBranch,
    NominateBranches,
    NominateCampaign,
)


async def show_campaigns(said: Said, context: LeagueContext) -> None:
    """/campaigns: the campaigns the person takes part in."""
    items = await context.services.campaigns.overview(said.user_id)
    await send(said.update, context, *screens.overview(context.t, _tz(context), items))


async def list_in_place(press: Press[CampaignList], context: LeagueContext) -> None:
    """« 返回列表: the list again, in place."""
    items = await context.services.campaigns.overview(press.user_id)
    await answer_and_edit(press.query, *screens.overview(context.t, _tz(context), items))


async def open_campaign(press: Press[CampaignOpen], context: LeagueContext) -> None:
    """A campaign's page, in place."""
    page = await context.services.campaigns.page(
        press.user_id, campaign_id=press.button.campaign_id
    )
    await answer_and_edit(press.query, *screens.campaign_screen(context.t, page))


async def check_eligibility(press: Press[CampaignCheck], context: LeagueContext) -> None:
    """检查资格: 符合条件, or every rule that fails and why."""
    page = await context.services.campaigns.check(
        press.user_id, campaign_id=press.button.campaign_id
    )
    await answer_and_edit(press.query, *screens.check_screen(context.t, page))


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.campaigns.timezone


# -- the Party application date: one question -------------------------------------------------

PARTY_DATE = question(
    journey=PARTY_DATE_JOURNEY,
    step=PartyDateStep.ASK,
    waiting=lambda services: services.campaigns.party_date_question,
    finish=lambda services: services.campaigns.stop_party_date,
    cancelled="campaigns.party_date_cancelled",
    hint="campaigns.party_date_ask",
    button=CampaignPartyDate,
)


async def ask_party_date(press: Press[CampaignPartyDate], context: LeagueContext) -> object:
    """登记入党申请时间: remembers the campaign and asks for the date."""
    await context.services.campaigns.ask_party_date(
        press.chat, campaign_id=press.button.campaign_id
    )
    await press.query.answer()
    await send(press.update, context, context.t("campaigns.party_date_ask"))
    return PartyDateStep.ASK


async def got_party_date(said: Said, context: LeagueContext) -> object:
    """Stores the date and shows the eligibility check again."""
    page = await context.services.campaigns.record_party_date(said.chat, said.text)
    await send(said.update, context, context.t("campaigns.party_date_saved"))
    await send(said.update, context, *screens.check_screen(context.t, page))
    return END


# -- cadres: /nominate ------------------------------------------------------------------------


async def show_nominating(said: Said, context: LeagueContext) -> None:
    """/nominate: the open campaigns the cadre may nominate in (straight to the only one)."""
    campaigns = await context.services.campaigns.nominating(said.user_id)
    if len(campaigns) == 1:
        view = await _branches_view(said.user_id, context, campaigns[0].id, 0)
    else:
        view = screens.nominating(context.t, _tz(context), campaigns)
    await send(said.update, context, *view)


async def _branches_view(
    user_id: int, context: LeagueContext, campaign_id: int, page: int
) -> tuple[str, Any]:
    """The branches to nominate from; a cadre of one branch goes straight to its members."""
    services = context.services.campaigns
    choice = await services.branches(user_id, campaign_id=campaign_id, page=page)
    if choice.pages == 1 and len(choice.branches) == 1:
        branch_page = await services.branch_page(
            user_id, campaign_id=campaign_id, branch_id=choice.branches[0].id
        )
        return screens.branch(context.t, branch_page)
    return screens.branches(context.t, choice)


async def nominate_campaign(press: Press[NominateCampaign], context: LeagueContext) -> None:
    """A campaign chosen (or 👥 提名本支部团员 on its page): its branches or members."""
    view = await _branches_view(press.user_id, context, press.button.campaign_id, 0)
    await answer_and_edit(press.query, *view)


async def nominate_branches(press: Press[NominateBranches], context: LeagueContext) -> None:
    """Another page of the branches, in place."""
    button = press.button
    view = await _branches_view(press.user_id, context, button.campaign_id, button.page)
    await answer_and_edit(press.query, *view)


async def nominate_branch(press: Press[NominateBranch], context: LeagueContext) -> None:
    """A branch's members with ✅/❌, one page, in place."""
    button = press.button
    branch_page = await context.services.campaigns.branch_page(
        press.user_id, campaign_id=button.campaign_id, branch_id=button.unit_id, page=button.page
    )
    await answer_and_edit(press.query, *screens.branch(context.t, branch_page))


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    q = PARTY_DATE
    party_date = q.conversation(
        entry_points=[q.press(CampaignPartyDate, ask_party_date)],
        states={PartyDateStep.ASK: [q.text(got_party_date)]},
    )
    return [
        party_date,
        on_command("campaigns", show_campaigns),
        on_command("nominate", show_nominating),
        on_press(CampaignList, list_in_place),
        on_press(CampaignOpen, open_campaign),
        on_press(CampaignCheck, check_eligibility),
        on_press(NominateCampaign, nominate_campaign),
        on_press(NominateBranches, nominate_branches),
        on_press(NominateBranch, nominate_branch),
    ]
