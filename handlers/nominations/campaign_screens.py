"""How campaigns look: /campaigns, a campaign's page with its rules in plain words and the
person's state, the eligibility check rule by rule, a cadre's /nominate screens (campaigns,
branches, members with ✅/❌), and the words of the notices the bot sends on its own. Pure."""

from __future__ import annotations

import html
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.campaigns import (
    Campaign,
    CampaignKind,
    CampaignRules,
    Failure,
    ReviewLevel,
    Rule,
)
from bot.domain.nominations.forms import local_window
from bot.domain.nominations.participation import (
    BranchChoice,
    BranchPage,
    CampaignItem,
    CampaignPage,
    Notice,
    NoticeKind,
)
from bot.domain.nominations.state import Nomination
from bot.domain.validation import truncate_for_telegram
from bot.i18n import Translator
from bot.services.nominations.campaign_notices import NoticeRenderer
from handlers.kit.buttons import CallbackData
from handlers.nominations.buttons import (
    ApplyToCampaign,
    CampaignCheck,
    CampaignList,
    CampaignOpen,
    CampaignPartyDate,
    NominateBranch,
    NominateBranches,
    NominateButton,
    NominateCampaign,
    NominatePick,
    NominationView,
)
from handlers.nominations.nomination_screens import Keyboard, T

# Telegram's limit is 4096; the rest is room for the eligibility lines added to a page.
_PAGE_BUDGET = 3500
LEVEL_KEYS = {level: f"campaigns.level.{level.value}" for level in ReviewLevel}
# Rules whose fix is in the member's own profile.
_PROFILE_RULES = frozenset({Rule.BIRTH_DATE_MISSING, Rule.JOIN_DATE_MISSING})


# -- how campaigns read -------------------------------------------------------------------------


def plain(t: T, key: str, /, **params: object) -> str:
    """A text for a button label, which Telegram shows as typed: no HTML escapes in it."""
    return html.unescape(t(key, **params))


def kind_text(t: T, kind: CampaignKind, honour: str | None) -> str:
    """推优入党积极分子, or 评优评先（五四奖章） for an honour."""
    name = t(f"campaigns.kind.{kind.value}")
    if kind is CampaignKind.HONOUR and honour:
        return t("campaigns.kind_honour", kind=name, honour=honour)
    return name


def kind_name(t: T, campaign: Campaign) -> str:
    return kind_text(t, campaign.kind, campaign.honour)


def day(value: date) -> str:
    return value.isoformat()


def days(t: T, values: tuple[date, ...]) -> str:
    return t("campaigns.separator").join(day(value) for value in values)


def age_text(t: T, rules: CampaignRules) -> str:
    if rules.min_age is not None and rules.max_age is not None:
        return t("campaigns.rules.age_range", min=rules.min_age, max=rules.max_age)
    if rules.min_age is not None:
        return t("campaigns.rules.age_min", min=rules.min_age)
    if rules.max_age is not None:
        return t("campaigns.rules.age_max", max=rules.max_age)
    return t("campaigns.rules.off")


def hours_text(t: T, rules: CampaignRules) -> str:
    if rules.min_training_hours is None:
        return t("campaigns.rules.off")
    return t("campaigns.rules.hours", hours=f"{rules.min_training_hours:g}")


def rule_lines(t: T, rules: CampaignRules) -> list[str]:
    """The campaign's rules in plain words, one line each."""
    who = "campaigns.rules.league_only" if rules.league_members_only else "campaigns.rules.all"
    apply = "campaigns.rules.self_apply" if rules.self_apply else "campaigns.rules.nominated"
    notice = (
        t("campaigns.rules.notice", days=rules.notice_working_days)
        if rules.notice_working_days
        else t("campaigns.rules.no_notice")
    )
    shown = [
        ("campaigns.setting.age", age_text(t, rules)),
        (
            "campaigns.setting.league",
            _months(t, rules.min_league_months, "campaigns.rules.league"),
        ),
        (
            "campaigns.setting.party",
            _months(t, rules.min_party_application_months, "campaigns.rules.party"),
        ),
        ("campaigns.setting.hours", hours_text(t, rules)),
        ("campaigns.rules.who", t(who)),
        ("campaigns.setting.self_apply", t(apply)),
        (
            "campaigns.setting.quota",
            t("campaigns.rules.quota", percent=rules.quota_percent, minimum=rules.quota_minimum),
        ),
        ("campaigns.setting.levels", levels_text(t, rules)),
        ("campaigns.setting.notice", notice),
    ]
    if rules.holidays:
        shown.append(("campaigns.setting.holidays", days(t, rules.holidays)))
    if rules.extra_workdays:
        shown.append(("campaigns.setting.workdays", days(t, rules.extra_workdays)))
    return [t("campaigns.rules.line", label=t(label), value=value) for label, value in shown]


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


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.pack())


# -- a member's screens -------------------------------------------------------------------------


def overview(t: T, tz: ZoneInfo, items: list[CampaignItem]) -> tuple[str, Keyboard]:
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
        rows.append([_button(label, CampaignOpen(campaign_id=campaign.id))])
    return truncate_for_telegram("\n".join(lines)), InlineKeyboardMarkup(rows)


def page_text(t: T, page: CampaignPage) -> str:
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


def page_keyboard(t: T, page: CampaignPage, *, checked: bool = False) -> Keyboard:
    campaign_id = page.campaign.id
    rows: list[list[InlineKeyboardButton]] = []
    if page.may_apply:
        rows.append([_button(t("campaigns.apply"), ApplyToCampaign(campaign_id=campaign_id))])
    if page.nomination is not None:
        rows.append([my_application_button(t, page.nomination.id)])
    if page.registered and page.in_scope and page.nomination is None and not checked:
        rows.append([_button(t("campaigns.check_button"), CampaignCheck(campaign_id=campaign_id))])
    if checked and any(f.rule is Rule.APPLICATION_MISSING for f in page.failures):
        party_date = CampaignPartyDate(campaign_id=campaign_id)
        rows.append([_button(t("campaigns.party_date"), party_date)])
    if page.may_nominate:
        rows.append([_button(t("campaigns.nominate"), NominateCampaign(campaign_id=campaign_id))])
    rows.append([_button(t("campaigns.back_to_list"), CampaignList())])
    return InlineKeyboardMarkup(rows)


def my_application_button(t: T, nomination_id: int) -> InlineKeyboardButton:
    """我的申请: the nominee's page of the nomination."""
    return _button(t("campaigns.my_application"), NominationView(nomination_id=nomination_id))


def campaign_screen(t: T, page: CampaignPage) -> tuple[str, Keyboard]:
    return page_text(t, page), page_keyboard(t, page)


def check_screen(t: T, page: CampaignPage) -> tuple[str, Keyboard]:
    """The page with the eligibility check under it."""
    lines = [page_text(t, page), "", t("campaigns.check.title")]
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


# -- a cadre's /nominate ------------------------------------------------------------------------


def nominating(t: T, tz: ZoneInfo, campaigns: list[Campaign]) -> tuple[str, Keyboard]:
    """/nominate: the open campaigns the cadre may nominate in."""
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
        rows.append([_button(label, NominateCampaign(campaign_id=campaign.id))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def branches(t: T, choice: BranchChoice) -> tuple[str, Keyboard]:
    """The branches of the campaign the cadre may nominate in, a page of them."""
    campaign_id = choice.campaign.id
    lines = [t("campaigns.branches_title", title=choice.campaign.title)]
    if choice.pages > 1:
        lines.append(t("picker.page", page=choice.page + 1, pages=choice.pages))
    if not choice.branches:
        lines.append(t("campaigns.branches_empty"))
    rows = [
        [_button(branch.name, NominateBranch(campaign_id=campaign_id, unit_id=branch.id))]
        for branch in choice.branches
    ]
    rows.append(_paging(t, NominateBranches(campaign_id=campaign_id), choice.page, choice.pages))
    return "\n".join(lines), InlineKeyboardMarkup([row for row in rows if row])


def branch(t: T, branch_page: BranchPage) -> tuple[str, Keyboard]:
    """The branch's members, ✅ eligible or ❌ not, with who is nominated already."""
    campaign = branch_page.campaign
    here = NominateBranch(campaign_id=campaign.id, unit_id=branch_page.branch.id)
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
        pick = NominatePick(
            campaign_id=campaign.id,
            unit_id=branch_page.branch.id,
            member_id=person.member_id,
            page=branch_page.page,
        )
        rows.append([_button(plain(t, mark, name=person.name), pick)])
    rows.append(_paging(t, here, branch_page.page, branch_page.pages))
    return "\n".join(lines), InlineKeyboardMarkup([row for row in rows if row])


def ineligible(
    t: T, pressed: NominatePick, name: str, failures: list[Failure]
) -> tuple[str, Keyboard]:
    """Why a member cannot be nominated, with the way back to the list."""
    lines = [t("campaigns.cannot_nominate", name=name), *failure_lines(t, failures, own=False)]
    back = NominateBranch(
        campaign_id=pressed.campaign_id, unit_id=pressed.unit_id, page=pressed.page
    )
    return "\n".join(lines), InlineKeyboardMarkup([[_button(t("campaigns.back_to_branch"), back)]])


def _paging(t: T, here: NominateButton, page: int, pages: int) -> list[InlineKeyboardButton]:
    """‹ / › to the pages around `page` of the list `here` opens."""
    row = []
    if page > 0:
        row.append(_button(t("picker.prev"), here.model_copy(update={"page": page - 1})))
    if page + 1 < pages:
        row.append(_button(t("picker.next"), here.model_copy(update={"page": page + 1})))
    return row


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
            rows.append([_button(t("campaigns.open_page"), CampaignOpen(campaign_id=campaign.id))])
        elif notice.kind in (NoticeKind.OPEN_CADRE, NoticeKind.CLOSING_CADRE):
            nominate = NominateCampaign(campaign_id=campaign.id)
            rows.append([_button(t("campaigns.nominate"), nominate)])
        elif notice.kind is NoticeKind.NOMINATED and notice.nomination_id is not None:
            rows.append([my_application_button(t, notice.nomination_id)])
        text = t(f"campaigns.notice.{notice.kind.value}", name=notice.nominee_name or "", **common)
        return text, InlineKeyboardMarkup(rows).to_dict() if rows else None

    return render
