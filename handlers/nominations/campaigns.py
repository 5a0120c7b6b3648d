"""Campaigns in the chat: /campaigns lists the campaigns a person takes part in; a campaign's
page shows its rules in plain words and the person's state, checks eligibility rule by rule,
records the Party application date, and leads to 申请 or, for cadres, to /nominate (the
branch's members with ✅/❌). Also the words of the notices the bot sends on its own."""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import LeagueContext
from bot.domain.nominations.campaigns import (
    Campaign,
    CampaignKind,
    CampaignRules,
    Failure,
    ReviewLevel,
    Rule,
)
from bot.domain.nominations.forms import local_window
from bot.domain.nominations.state import Nomination
from bot.domain.validation import InvalidInput, truncate_for_telegram
from bot.i18n import Translator
from bot.services.errors import ServiceError
from bot.services.nominations.campaigns import (
    PARTY_DATE_JOURNEY,
    BranchChoice,
    BranchPage,
    CampaignItem,
    CampaignPage,
    Notice,
    NoticeKind,
    NoticeRenderer,
)
from handlers.kit.replies import (
    answer_invalid,
    answer_refusal,
    answers_refusals,
    chat_of,
    edit,
    send,
)
from handlers.nominations.buttons import (
    ApplyButton,
    CampaignAction,
    CampaignButton,
    NominateAction,
    NominateButton,
    NominationButton,
)

# Looks a text up in one person's language: context.t, or a translator bound to a language.
T = Callable[..., str]
END = ConversationHandler.END
ASK = "ask"
# Telegram's limit is 4096; the rest is room for the eligibility lines added to a page.
_PAGE_BUDGET = 3500
LEVEL_KEYS = {level: f"campaigns.level.{level.value}" for level in ReviewLevel}
# Rules whose fix is in the member's own profile.
_PROFILE_RULES = frozenset({Rule.BIRTH_DATE_MISSING, Rule.JOIN_DATE_MISSING})


# -- how campaigns read -------------------------------------------------------------------------


def plain(t: T, key: str, /, **params: object) -> str:
    """A text for a button label, which Telegram shows as typed: no HTML escapes in it."""
    return html.unescape(t(key, **params))


def kind_name(t: T, campaign: Campaign) -> str:
    name = t(f"campaigns.kind.{campaign.kind.value}")
    if campaign.kind is CampaignKind.HONOUR and campaign.honour:
        return t("campaigns.kind_honour", kind=name, honour=campaign.honour)
    return name


def day(value: date) -> str:
    return value.isoformat()


def days(t: T, values: tuple[date, ...]) -> str:
    return t("campaigns.separator").join(day(value) for value in values)


def rule_lines(t: T, rules: CampaignRules) -> list[str]:
    """The campaign's rules in plain words, one line each."""
    if rules.min_age is not None and rules.max_age is not None:
        age = t("campaigns.rules.age_range", min=rules.min_age, max=rules.max_age)
    elif rules.min_age is not None:
        age = t("campaigns.rules.age_min", min=rules.min_age)
    elif rules.max_age is not None:
        age = t("campaigns.rules.age_max", max=rules.max_age)
    else:
        age = t("campaigns.rules.off")
    lines = [
        t("campaigns.rules.line", label=t("campaigns.setting.age"), value=age),
        t(
            "campaigns.rules.line",
            label=t("campaigns.setting.league"),
            value=_months(t, rules.min_league_months, "campaigns.rules.league"),
        ),
        t(
            "campaigns.rules.line",
            label=t("campaigns.setting.party"),
            value=_months(t, rules.min_party_application_months, "campaigns.rules.party"),
        ),
        t(
            "campaigns.rules.line",
            label=t("campaigns.setting.hours"),
            value=t("campaigns.rules.off")
            if rules.min_training_hours is None
            else t("campaigns.rules.hours", hours=f"{rules.min_training_hours:g}"),
        ),
        t(
            "campaigns.rules.line",
            label=t("campaigns.rules.who"),
            value=t(
                "campaigns.rules.league_only"
                if rules.league_members_only
                else "campaigns.rules.all"
            ),
        ),
        t(
            "campaigns.rules.line",
            label=t("campaigns.setting.self_apply"),
            value=t(
                "campaigns.rules.self_apply" if rules.self_apply else "campaigns.rules.nominated"
            ),
        ),
        t(
            "campaigns.rules.line",
            label=t("campaigns.setting.quota"),
            value=t(
                "campaigns.rules.quota", percent=rules.quota_percent, minimum=rules.quota_minimum
            ),
        ),
        t("campaigns.rules.line", label=t("campaigns.setting.levels"), value=levels_text(t, rules)),
        t(
            "campaigns.rules.line",
            label=t("campaigns.setting.notice"),
            value=t("campaigns.rules.notice", days=rules.notice_working_days)
            if rules.notice_working_days
            else t("campaigns.rules.no_notice"),
        ),
    ]
    if rules.holidays:
        lines.append(
            t(
                "campaigns.rules.line",
                label=t("campaigns.setting.holidays"),
                value=days(t, rules.holidays),
            )
        )
    if rules.extra_workdays:
        lines.append(
            t(
                "campaigns.rules.line",
                label=t("campaigns.setting.workdays"),
                value=days(t, rules.extra_workdays),
            )
        )
    return lines


def _months(t: T, months: int | None, key: str) -> str:
    if months is None:
        return t("campaigns.rules.off")
    if months % 12 == 0 and months:
        return t(f"{key}_years", years=months // 12)
    return t(key, months=months)


def levels_text(t: T, rules: CampaignRules) -> str:
    names = []
    for level in rules.review_levels:
        name = t(LEVEL_KEYS[level])
        if level is ReviewLevel.BRANCH and rules.branch_meeting:
            name = t("campaigns.level.branch_meeting", level=name)
        names.append(name)
    return " → ".join(names)


def failure_line(t: T, failure: Failure) -> str:
    return t(f"campaigns.rule.{failure.rule.value}", **failure.params)


def failure_lines(t: T, failures: list[Failure], *, own: bool) -> list[str]:
    """Each failed rule as the member (own) or a cadre sees it."""
    lines = [t("campaigns.check.bullet", text=failure_line(t, f)) for f in failures]
    if own and any(f.rule in _PROFILE_RULES for f in failures):
        lines.append(t("campaigns.check.fix_profile"))
    if own and any(f.rule is Rule.APPLICATION_MISSING for f in failures):
        lines.append(t("campaigns.check.record_party_date"))
    return lines


def state_text(t: T, nomination: Nomination | None) -> str:
    if nomination is None:
        return t("campaigns.state.none")
    return t(f"campaigns.state.{nomination.state.value}")


def _window(t: T, campaign: Campaign, tz: ZoneInfo) -> str:
    first, last = local_window(campaign, tz)
    return t("campaigns.window", first=day(first), last=day(last))


# -- screens ------------------------------------------------------------------------------------


def _campaign_button(
    label: str, action: CampaignAction, campaign_id: int = 0
) -> InlineKeyboardButton:
    data = CampaignButton(action=action, campaign_id=campaign_id).pack()
    return InlineKeyboardButton(label, callback_data=data)


def overview(t: T, tz: ZoneInfo, items: list[CampaignItem]) -> tuple[str, InlineKeyboardMarkup]:
    """/campaigns: the open and upcoming campaigns, one button each."""
    if not items:
        return t("campaigns.list_empty"), InlineKeyboardMarkup([])
    lines = [t("campaigns.list_title", count=len(items))]
    rows = []
    for number, item in enumerate(items, start=1):
        campaign = item.campaign
        phase = t("campaigns.phase.open" if item.is_open else "campaigns.phase.upcoming")
        lines.append(
            t(
                "campaigns.list_item",
                number=number,
                title=campaign.title,
                kind=kind_name(t, campaign),
                window=_window(t, campaign, tz),
                phase=phase,
                state=state_text(t, item.nomination) if item.nomination else "",
            )
        )
        label = plain(t, "campaigns.list_button", number=number, title=campaign.title)
        rows.append([_campaign_button(label, CampaignAction.OPEN, campaign.id)])
    return truncate_for_telegram("\n".join(lines)), InlineKeyboardMarkup(rows)


def page_text(t: T, tz: ZoneInfo, page: CampaignPage) -> str:
    campaign = page.campaign
    lines = [
        t("campaigns.page.title", title=campaign.title),
        t("campaigns.page.kind", kind=kind_name(t, campaign)),
        t(
            "campaigns.page.window",
            first=day(page.first_day),
            last=day(page.last_day),
            phase=t(f"campaigns.phase.{page.phase}"),
        ),
        t("campaigns.page.scope", scope=" › ".join(page.scope)),
        "",
        t("campaigns.page.rules"),
        *(t("campaigns.check.bullet", text=line) for line in rule_lines(t, campaign.rules)),
    ]
    if page.registered and page.in_scope:
        lines += ["", t("campaigns.page.my_state", state=state_text(t, page.nomination))]
    elif page.registered:
        lines += ["", t("campaigns.page.not_in_scope")]
    elif not page.may_nominate:
        lines += ["", t("campaigns.page.not_registered")]
    return truncate_for_telegram("\n".join(lines), _PAGE_BUDGET)


def page_keyboard(t: T, page: CampaignPage, *, checked: bool = False) -> InlineKeyboardMarkup:
    campaign_id = page.campaign.id
    rows: list[list[InlineKeyboardButton]] = []
    if page.may_apply:
        data = ApplyButton(action="apply", target=campaign_id).pack()
        rows.append([InlineKeyboardButton(t("campaigns.apply"), callback_data=data)])
    if page.nomination is not None:
        data = NominationButton(action="view", nomination_id=page.nomination.id).pack()
        rows.append([InlineKeyboardButton(t("campaigns.my_application"), callback_data=data)])
    if page.registered and page.in_scope and page.nomination is None and not checked:
        rows.append(
            [_campaign_button(t("campaigns.check_button"), CampaignAction.CHECK, campaign_id)]
        )
    if checked and any(f.rule is Rule.APPLICATION_MISSING for f in page.failures):
        rows.append(
            [_campaign_button(t("campaigns.party_date"), CampaignAction.PARTY_DATE, campaign_id)]
        )
    if page.may_nominate:
        data = NominateButton(action=NominateAction.CAMPAIGN, campaign_id=campaign_id).pack()
        rows.append([InlineKeyboardButton(t("campaigns.nominate"), callback_data=data)])
    rows.append([_campaign_button(t("campaigns.back_to_list"), CampaignAction.LIST)])
    return InlineKeyboardMarkup(rows)


def campaign_screen(t: T, tz: ZoneInfo, page: CampaignPage) -> tuple[str, InlineKeyboardMarkup]:
    return page_text(t, tz, page), page_keyboard(t, page)


def check_screen(t: T, tz: ZoneInfo, page: CampaignPage) -> tuple[str, InlineKeyboardMarkup]:
    """The page with the eligibility check under it."""
    lines = [page_text(t, tz, page), "", t("campaigns.check.title")]
    if not page.in_scope:
        lines.append(
            t("campaigns.check.bullet", text=failure_line(t, Failure(rule=Rule.OUTSIDE_SCOPE)))
        )
    elif page.eligible:
        lines.append(t("campaigns.check.eligible"))
    else:
        lines.append(t("campaigns.check.not_eligible"))
        lines += failure_lines(t, page.failures, own=True)
    return truncate_for_telegram("\n".join(lines)), page_keyboard(t, page, checked=True)


# -- members ------------------------------------------------------------------------------------


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _tz(context: LeagueContext) -> ZoneInfo:
    return context.services.campaigns.timezone


def _pressed(update: Update) -> CampaignButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return CampaignButton.parse(update.callback_query.data)


@answers_refusals
async def show_campaigns(update: Update, context: LeagueContext) -> None:
    """/campaigns: the campaigns the person takes part in."""
    items = await context.services.campaigns.overview(_user_id(update))
    await send(update, context, *overview(context.t, _tz(context), items))


@answers_refusals
async def list_in_place(update: Update, context: LeagueContext) -> None:
    """« 返回列表: the list again, in place."""
    query = update.callback_query
    assert query is not None
    items = await context.services.campaigns.overview(_user_id(update))
    await query.answer()
    await edit(query, *overview(context.t, _tz(context), items))


@answers_refusals
async def open_campaign(update: Update, context: LeagueContext) -> None:
    """A campaign's page, in place."""
    query = update.callback_query
    assert query is not None
    page = await context.services.campaigns.page(
        _user_id(update), campaign_id=_pressed(update).campaign_id
    )
    await query.answer()
    await edit(query, *campaign_screen(context.t, _tz(context), page))


@answers_refusals
async def check_eligibility(update: Update, context: LeagueContext) -> None:
    """检查资格: 符合条件, or every rule that fails and why."""
    query = update.callback_query
    assert query is not None
    page = await context.services.campaigns.check(
        _user_id(update), campaign_id=_pressed(update).campaign_id
    )
    await query.answer()
    await edit(query, *check_screen(context.t, _tz(context), page))


async def ask_party_date(update: Update, context: LeagueContext) -> object:
    """登记入党申请时间: asks for the date."""
    query = update.callback_query
    assert query is not None
    await context.services.campaigns.ask_party_date(
        chat_of(update), campaign_id=_pressed(update).campaign_id
    )
    await query.answer()
    await send(update, context, context.t("campaigns.party_date_ask"))
    return ASK


async def got_party_date(update: Update, context: LeagueContext) -> object:
    """Stores the date and shows the eligibility check again."""
    assert update.effective_message is not None
    page = await context.services.campaigns.record_party_date(
        chat_of(update), update.effective_message.text or ""
    )
    await send(update, context, context.t("campaigns.party_date_saved"))
    await send(update, context, *check_screen(context.t, _tz(context), page))
    return END


async def party_date_not_text(update: Update, context: LeagueContext) -> object:
    """Anything but a typed date: says what to send."""
    await send(update, context, context.t("campaigns.party_date_ask"))
    return None


async def stop_party_date(update: Update, context: LeagueContext) -> object:
    """/cancel: the date is not recorded."""
    await context.services.campaigns.stop_party_date(chat_of(update))
    await send(update, context, context.t("campaigns.party_date_cancelled"))
    return END


def _party_guarded(
    callback: Callable[[Update, LeagueContext], Any],
) -> Callable[[Update, LeagueContext], Any]:
    """A wrong date is answered and asked again; a refusal ends the question."""

    async def run(update: Update, context: LeagueContext) -> object:
        try:
            return await callback(update, context)
        except InvalidInput as exc:
            await answer_invalid(update, context, exc)
            return None
        except ServiceError as exc:
            await answer_refusal(update, context, exc)
            await context.services.campaigns.stop_party_date(chat_of(update))
            return END

    run.__name__ = callback.__name__
    run.__doc__ = callback.__doc__
    return run


# -- cadres: /nominate ------------------------------------------------------------------------


def _nominate_button(
    label: str,
    action: NominateAction,
    campaign_id: int,
    *,
    unit_id: int = 0,
    member_id: int = 0,
    page: int = 0,
) -> InlineKeyboardButton:
    data = NominateButton(
        action=action, campaign_id=campaign_id, unit_id=unit_id, member_id=member_id, page=page
    ).pack()
    return InlineKeyboardButton(label, callback_data=data)


def nominating_screen(
    t: T, tz: ZoneInfo, campaigns: list[Campaign]
) -> tuple[str, InlineKeyboardMarkup]:
    if not campaigns:
        return t("campaigns.nominate_none"), InlineKeyboardMarkup([])
    lines = [t("campaigns.nominate_choose")]
    rows = []
    for number, campaign in enumerate(campaigns, start=1):
        lines.append(
            t(
                "campaigns.nominate_item",
                number=number,
                title=campaign.title,
                window=_window(t, campaign, tz),
            )
        )
        label = plain(t, "campaigns.list_button", number=number, title=campaign.title)
        rows.append([_nominate_button(label, NominateAction.CAMPAIGN, campaign.id)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def branches_screen(t: T, choice: BranchChoice) -> tuple[str, InlineKeyboardMarkup]:
    campaign_id = choice.campaign.id
    lines = [t("campaigns.branches_title", title=choice.campaign.title)]
    if choice.pages > 1:
        lines.append(t("picker.page", page=choice.page + 1, pages=choice.pages))
    if not choice.branches:
        lines.append(t("campaigns.branches_empty"))
    rows = [
        [_nominate_button(branch.name, NominateAction.BRANCH, campaign_id, unit_id=branch.id)]
        for branch in choice.branches
    ]
    rows.append(_paging(t, NominateAction.BRANCHES, campaign_id, 0, choice.page, choice.pages))
    return "\n".join(lines), InlineKeyboardMarkup([row for row in rows if row])


def branch_screen(t: T, branch_page: BranchPage) -> tuple[str, InlineKeyboardMarkup]:
    """The branch's members, ✅ eligible or ❌ not, with who is nominated already."""
    campaign = branch_page.campaign
    lines = [
        t("campaigns.branch_title", title=campaign.title, branch=branch_page.branch.name),
        t("campaigns.branch_legend"),
    ]
    if branch_page.pages > 1:
        lines.append(t("picker.page", page=branch_page.page + 1, pages=branch_page.pages))
    if not branch_page.candidates:
        lines.append(t("campaigns.branch_empty"))
    rows = []
    for candidate in branch_page.candidates:
        person = candidate.participant
        if person.nomination_id is not None:
            mark = "campaigns.mark_nominated"
        elif candidate.failures:
            mark = "campaigns.mark_ineligible"
        else:
            mark = "campaigns.mark_eligible"
        rows.append(
            [
                _nominate_button(
                    plain(t, mark, name=person.name),
                    NominateAction.PICK,
                    campaign.id,
                    unit_id=branch_page.branch.id,
                    member_id=person.member_id,
                    page=branch_page.page,
                )
            ]
        )
    rows.append(
        _paging(
            t,
            NominateAction.BRANCH,
            campaign.id,
            branch_page.branch.id,
            branch_page.page,
            branch_page.pages,
        )
    )
    return "\n".join(lines), InlineKeyboardMarkup([row for row in rows if row])


def ineligible_screen(
    t: T, pressed: NominateButton, name: str, failures: list[Failure]
) -> tuple[str, InlineKeyboardMarkup]:
    """Why a member cannot be nominated, with the way back to the list."""
    lines = [t("campaigns.cannot_nominate", name=name), *failure_lines(t, failures, own=False)]
    back = _nominate_button(
        t("campaigns.back_to_branch"),
        NominateAction.BRANCH,
        pressed.campaign_id,
        unit_id=pressed.unit_id,
        page=pressed.page,
    )
    return "\n".join(lines), InlineKeyboardMarkup([[back]])


def _paging(
    t: T, action: NominateAction, campaign_id: int, unit_id: int, page: int, pages: int
) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(
            _nominate_button(t("picker.prev"), action, campaign_id, unit_id=unit_id, page=page - 1)
        )
    if page + 1 < pages:
        row.append(
            _nominate_button(t("picker.next"), action, campaign_id, unit_id=unit_id, page=page + 1)
        )
    return row


def _nominate_pressed(update: Update) -> NominateButton:
    assert update.callback_query is not None and update.callback_query.data is not None
    return NominateButton.parse(update.callback_query.data)


@answers_refusals
async def show_nominating(update: Update, context: LeagueContext) -> None:
    """/nominate: the open campaigns the cadre may nominate in (straight to the only one)."""
    campaigns = await context.services.campaigns.nominating(_user_id(update))
    if len(campaigns) == 1:
        await _show_branches(update, context, campaigns[0].id, 0, in_place=False)
        return
    await send(update, context, *nominating_screen(context.t, _tz(context), campaigns))


async def _show_branches(
    update: Update, context: LeagueContext, campaign_id: int, page: int, *, in_place: bool
) -> None:
    """The branches to nominate from; a cadre of one branch goes straight to its members."""
    services = context.services.campaigns
    choice = await services.branches(_user_id(update), campaign_id=campaign_id, page=page)
    if choice.pages == 1 and len(choice.branches) == 1:
        branch_page = await services.branch_page(
            _user_id(update), campaign_id=campaign_id, branch_id=choice.branches[0].id
        )
        view = branch_screen(context.t, branch_page)
    else:
        view = branches_screen(context.t, choice)
    if in_place and update.callback_query is not None:
        await update.callback_query.answer()
        await edit(update.callback_query, *view)
    else:
        await send(update, context, *view)


@answers_refusals
async def nominate_campaign(update: Update, context: LeagueContext) -> None:
    """A campaign chosen (or 👥 提名本支部团员 on its page): its branches or members."""
    pressed = _nominate_pressed(update)
    await _show_branches(update, context, pressed.campaign_id, 0, in_place=True)


@answers_refusals
async def nominate_branches(update: Update, context: LeagueContext) -> None:
    """Another page of the branches, in place."""
    pressed = _nominate_pressed(update)
    await _show_branches(update, context, pressed.campaign_id, pressed.page, in_place=True)


@answers_refusals
async def nominate_branch(update: Update, context: LeagueContext) -> None:
    """A branch's members with ✅/❌, one page, in place."""
    query = update.callback_query
    assert query is not None
    pressed = _nominate_pressed(update)
    branch_page = await context.services.campaigns.branch_page(
        _user_id(update),
        campaign_id=pressed.campaign_id,
        branch_id=pressed.unit_id,
        page=pressed.page,
    )
    await query.answer()
    await edit(query, *branch_screen(context.t, branch_page))


# -- notices ------------------------------------------------------------------------------------


def renderer(translator: Translator, tz: ZoneInfo) -> NoticeRenderer:
    """The function the campaign services call to word a notice in the person's language."""

    def render(notice: Notice) -> tuple[str, dict[str, object] | None]:
        t = partial(translator.t, notice.account.language)
        campaign = notice.campaign
        _, last = local_window(campaign, tz)
        common = {"title": campaign.title, "kind": kind_name(t, campaign), "last": day(last)}
        rows: list[list[InlineKeyboardButton]] = []
        if notice.kind in (NoticeKind.OPEN, NoticeKind.CLOSING):
            rows.append(
                [_campaign_button(t("campaigns.open_page"), CampaignAction.OPEN, campaign.id)]
            )
        elif notice.kind in (NoticeKind.OPEN_CADRE, NoticeKind.CLOSING_CADRE):
            rows.append(
                [_nominate_button(t("campaigns.nominate"), NominateAction.CAMPAIGN, campaign.id)]
            )
        elif notice.kind is NoticeKind.NOMINATED and notice.nomination_id is not None:
            data = NominationButton(action="view", nomination_id=notice.nomination_id).pack()
            rows.append([InlineKeyboardButton(t("campaigns.my_application"), callback_data=data)])
        text = t(f"campaigns.notice.{notice.kind.value}", name=notice.nominee_name or "", **common)
        return text, InlineKeyboardMarkup(rows).to_dict() if rows else None

    return render


# -- wiring -------------------------------------------------------------------------------------


_on = CampaignButton.on


_on_nominate = NominateButton.on


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    private = filters.ChatType.PRIVATE
    g = _party_guarded
    with warnings.catch_warnings():
        # The question is keyed by (chat, user) on purpose: one open question per member.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        party_date: ConversationHandler[Any] = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(g(ask_party_date), pattern=_on(CampaignAction.PARTY_DATE))
            ],
            states={
                ASK: [MessageHandler(filters.TEXT & ~filters.COMMAND, g(got_party_date))],
            },
            fallbacks=[
                CommandHandler("cancel", g(stop_party_date)),
                MessageHandler(~filters.COMMAND, g(party_date_not_text)),
            ],
            name=PARTY_DATE_JOURNEY,
            persistent=True,
        )
    return [
        party_date,
        CommandHandler("campaigns", show_campaigns, filters=private),
        CommandHandler("nominate", show_nominating, filters=private),
        CallbackQueryHandler(list_in_place, pattern=_on(CampaignAction.LIST)),
        CallbackQueryHandler(open_campaign, pattern=_on(CampaignAction.OPEN)),
        CallbackQueryHandler(check_eligibility, pattern=_on(CampaignAction.CHECK)),
        CallbackQueryHandler(nominate_campaign, pattern=_on_nominate(NominateAction.CAMPAIGN)),
        CallbackQueryHandler(nominate_branches, pattern=_on_nominate(NominateAction.BRANCHES)),
        CallbackQueryHandler(nominate_branch, pattern=_on_nominate(NominateAction.BRANCH)),
    ]
