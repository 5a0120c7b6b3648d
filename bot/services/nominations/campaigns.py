"""Campaigns as use-cases: the admin opens one (and schedules its opening notice and closing
reminder, which `campaign_notices` sends); members see the campaigns they take part in, check
their eligibility rule by rule and record their Party application date (a one-question
conversation); branch cadres find whom they may nominate.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.domain.authz import PERMISSIONS, Action, Actor, Role
from bot.domain.models import OrgKind, OrgUnit
from bot.domain.nominations.campaigns import (
    Campaign,
    CampaignSpec,
    Failure,
    Participant,
    check_eligibility,
)
from bot.domain.nominations.forms import check_window, local_window, window_moments
from bot.domain.nominations.participation import (
    BranchChoice,
    BranchPage,
    CampaignItem,
    CampaignPage,
    Candidate,
    PartyDateQuestion,
    PartyDateStep,
)
from bot.domain.validation import DateInFuture, InvalidInput, parse_date
from bot.services import wizard as kit
from bot.services.errors import NotRegistered, NoWizard, ServiceError, StaleButton
from bot.services.shared import Shared, UseCase
from bot.services.wizard import Chat
from storage.database import NotFound

KIND_OPEN = "campaign.open"
KIND_CLOSING = "campaign.closing"
PARTY_DATE_JOURNEY = "party_date"
PAGE_SIZE = 8

# The Party application date being asked, and the campaign to check again once it is in.
PartyDate = kit.Wizard[PartyDateQuestion, PartyDateStep]


class CampaignGone(StaleButton, code="campaigns.gone"):
    """The campaign a button names does not exist."""


class CampaignNotOpen(ServiceError, code="campaigns.not_open"):
    """The campaign has not opened yet, has closed, or was cancelled."""


class NotEligible(ServiceError, code="campaigns.not_eligible"):
    """The member fails some of the campaign's rules; `failures` says which and why."""

    def __init__(self, failures: list[Failure], *, name: str = "") -> None:
        super().__init__(f"{len(failures)} rules failed")
        self.failures = failures
        self.name = name


def _pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


class CampaignService(UseCase):
    def __init__(self, shared: Shared) -> None:
        super().__init__(shared)
        self.party_dates = self._drafts(PARTY_DATE_JOURNEY, PartyDateQuestion, PartyDateStep)

    @property
    def timezone(self) -> ZoneInfo:
        return self._tz

    def today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    # The admin opens a campaign.

    async def authorise(self, telegram_user_id: int) -> Actor:
        """Only those who may open campaigns start the wizard (the attempt is audited)."""
        return await self._access.require_any(telegram_user_id, Action.MANAGE_CAMPAIGN)

    async def scope_unit(self, code: str) -> OrgUnit:
        """The unit a campaign file names by code; empty means the whole district."""
        if not code:
            roots = await self._store.org_units.children(parent_id=None)
            districts = [unit for unit in roots if unit.kind is OrgKind.DISTRICT] or roots
            if not districts:
                raise InvalidInput("campaigns.file.no_tree")
            return districts[0]
        try:
            return await self._store.org_units.get_by_code(code=code)
        except NotFound:
            raise InvalidInput("campaigns.file.scope_unknown", {"code": code}) from None

    async def create(self, telegram_user_id: int, spec: CampaignSpec) -> Campaign:
        """Saves the campaign and schedules its opening notice and its closing reminder."""
        unit = await self.scope_unit(spec.scope)
        await self._access.require(telegram_user_id, Action.MANAGE_CAMPAIGN, unit_id=unit.id)
        check_window(spec.opens_on, spec.closes_on, today=self.today())
        opens_at, closes_at = window_moments(spec.opens_on, spec.closes_on, self._tz)
        async with self._store.transaction() as tx:
            now = self._clock.now()
            campaign_id = await tx.campaigns.create(
                kind=spec.kind,
                title=spec.title,
                honour=spec.honour,
                rules=spec.rules,
                opens_at=opens_at,
                closes_at=closes_at,
                scope_unit_id=unit.id,
                created_by=telegram_user_id,
                now=now,
            )
            target = reminder_target(campaign_id)
            # A campaign opening today is announced now, not "late" since midnight.
            await tx.reminders.schedule(kind=KIND_OPEN, target=target, due_at=max(opens_at, now))
            days = spec.rules.closing_reminder_days
            remind_at = closes_at - timedelta(days=days)
            if days > 0 and opens_at < remind_at:
                await tx.reminders.schedule(kind=KIND_CLOSING, target=target, due_at=remind_at)
        self._wake_scheduler()
        return await self._store.campaigns.get(campaign_id=campaign_id)

    # What members and cadres see.

    async def overview(self, telegram_user_id: int) -> list[CampaignItem]:
        """Campaigns open now or opening later that the person takes part in: as a member of
        a unit in scope, as a cadre who may nominate there, or as an admin."""
        member = await self._member_or_none(telegram_user_id)
        unit = await self._unit_of(member.org_unit_id if member else None)
        actor = await self._access.actor(telegram_user_id)
        now = self._clock.now()
        items = []
        for campaign in await self._store.campaigns.current(now=now):
            in_scope = unit is not None and unit.path.startswith(campaign.scope_path)
            if not (in_scope or self._nominates_in(actor, campaign) or self._manages(actor)):
                continue
            nomination = None
            if in_scope and member is not None:
                nomination = await self._store.nominations.of_member(
                    campaign_id=campaign.id, member_id=member.id
                )
            items.append(
                CampaignItem(
                    campaign=campaign, is_open=campaign.is_open(now), nomination=nomination
                )
            )
        # Open campaigns first, those closing soonest on top; upcoming ones after them.
        items.sort(key=lambda item: (not item.is_open, item.campaign.closes_at, item.campaign.id))
        return items

    async def page(self, telegram_user_id: int, *, campaign_id: int) -> CampaignPage:
        """The campaign's page for this person, with their eligibility worked out."""
        campaign = await self.campaign(campaign_id)
        member = await self._member_or_none(telegram_user_id)
        actor = await self._access.actor(telegram_user_id)
        now = self._clock.now()
        failures: list[Failure] = []
        in_scope = False
        nomination = None
        # A member without a unit (left mid-import) belongs to no campaign's scope.
        if member is not None and member.org_unit_id is not None:
            participant = await self._store.participants.one(
                campaign_id=campaign.id, member_id=member.id
            )
            in_scope = participant.unit_path.startswith(campaign.scope_path)
            failures = self.failures(participant, campaign)
            if participant.nomination_id is not None:
                nomination = await self._store.nominations.get(
                    nomination_id=participant.nomination_id
                )
        first, last = local_window(campaign, self._tz)
        return CampaignPage(
            campaign=campaign,
            scope=await self._orgs.path_names(unit_id=campaign.scope_unit_id),
            first_day=first,
            last_day=last,
            is_open=campaign.is_open(now),
            registered=member is not None,
            in_scope=in_scope,
            failures=failures,
            nomination=nomination,
            may_nominate=campaign.is_open(now) and self._nominates_in(actor, campaign),
            now=now,
        )

    async def check(self, telegram_user_id: int, *, campaign_id: int) -> CampaignPage:
        """The page with the member's eligibility, for 检查资格; visitors are sent to /start."""
        page = await self.page(telegram_user_id, campaign_id=campaign_id)
        if not page.registered:
            raise NotRegistered(f"{telegram_user_id} is not a member")
        return page

    def failures(self, participant: Participant, campaign: Campaign) -> list[Failure]:
        """Every rule of the campaign the member fails today."""
        return check_eligibility(campaign.rules, participant.facts_in(campaign), today=self.today())

    async def campaign(self, campaign_id: int) -> Campaign:
        try:
            return await self._store.campaigns.get(campaign_id=campaign_id)
        except NotFound:
            raise CampaignGone(f"campaign {campaign_id}") from None

    async def open_campaign(self, campaign_id: int) -> Campaign:
        """The campaign a button names, if it takes applications and nominations now."""
        campaign = await self.campaign(campaign_id)
        if not campaign.is_open(self._clock.now()):
            raise CampaignNotOpen(f"campaign {campaign_id}")
        return campaign

    async def participant(self, campaign_id: int, member_id: int) -> Participant:
        """A member as the campaign sees them; StaleButton when the member is gone."""
        try:
            return await self._store.participants.one(campaign_id=campaign_id, member_id=member_id)
        except NotFound:
            raise StaleButton(f"member {member_id} is gone") from None

    # The member records their Party application date (入党申请时间), a one-question wizard.

    async def ask_party_date(self, chat: Chat, *, campaign_id: int) -> Campaign:
        """Remembers which campaign to check again once the date is in."""
        campaign = await self.campaign(campaign_id)
        if await self._member_or_none(chat.user_id) is None:
            raise NotRegistered(f"{chat.user_id} is not a member")
        await self.party_dates.start(chat, PartyDateQuestion(campaign_id=campaign.id))
        return campaign

    async def party_date_question(self, chat: Chat) -> PartyDate:
        """The open question; NoWizard when there is none."""
        return await self.party_dates.current(chat)

    async def record_party_date(self, chat: Chat, text: str) -> CampaignPage:
        """Stores the typed date (not in the future, not before birth) and checks again."""
        try:
            question = await self.party_dates.current(chat)
        except NoWizard:
            raise StaleButton("no party date question open") from None
        member = await self._member_or_none(chat.user_id)
        if member is None:
            await self.stop_party_date(chat)
            raise NotRegistered(f"{chat.user_id} is not a member")
        day = parse_date(text)
        if day > self.today():
            raise DateInFuture()
        if member.birth_date is not None and day < member.birth_date:
            raise InvalidInput(
                "campaigns.party_date_error.before_birth", {"birth": member.birth_date.isoformat()}
            )
        await self._store.members.set_party_application_date(
            member_id=member.id, day=day, actor_user_id=chat.user_id, now=self._clock.now()
        )
        await self.stop_party_date(chat)
        return await self.check(chat.user_id, campaign_id=question.draft.campaign_id)

    async def stop_party_date(self, chat: Chat) -> bool:
        return await self.party_dates.finish(chat)

    # Branch cadres nominate (推荐): which campaigns, which branches, which members.

    async def nominating(self, telegram_user_id: int) -> list[Campaign]:
        """Open campaigns in which the cadre may nominate members of some branch."""
        actor = await self._access.require_any(telegram_user_id, Action.NOMINATE)
        now = self._clock.now()
        return [
            campaign
            for campaign in await self._store.campaigns.current(now=now)
            if campaign.is_open(now) and self._nominates_in(actor, campaign)
        ]

    async def branches(
        self, telegram_user_id: int, *, campaign_id: int, page: int = 0
    ) -> BranchChoice:
        """The branches in the campaign's scope where the cadre may nominate, one page."""
        campaign = await self.open_campaign(campaign_id)
        actor = await self._access.require_any(telegram_user_id, Action.NOMINATE)
        roots = ["/"] if actor.configured_admin else self._nominate_paths(actor)
        found: dict[int, OrgUnit] = {}
        for unit in await self._store.org_units.subtree(unit_id=campaign.scope_unit_id):
            if unit.is_branch and any(unit.path.startswith(root) for root in roots):
                found[unit.id] = unit
        branches = list(found.values())
        pages = _pages(len(branches))
        page = min(max(page, 0), pages - 1)
        return BranchChoice(
            campaign=campaign,
            branches=branches[page * PAGE_SIZE : (page + 1) * PAGE_SIZE],
            page=page,
            pages=pages,
        )

    async def branch_page(
        self, telegram_user_id: int, *, campaign_id: int, branch_id: int, page: int = 0
    ) -> BranchPage:
        """The branch's confirmed members with ✅/❌ eligibility, one page; the cadre must be
        allowed to nominate in this branch (audited if not)."""
        await self._access.require(telegram_user_id, Action.NOMINATE, unit_id=branch_id)
        campaign = await self.open_campaign(campaign_id)
        branch = await self._store.org_units.get(unit_id=branch_id)
        if not branch.is_branch or not branch.path.startswith(campaign.scope_path):
            raise StaleButton(f"unit {branch_id} is not a branch of campaign {campaign_id}")
        total = await self._store.participants.count_in_branch(branch_id=branch.id)
        pages = _pages(total)
        page = min(max(page, 0), pages - 1)
        found = await self._store.participants.in_branch(
            campaign_id=campaign.id, branch_id=branch.id, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        return BranchPage(
            campaign=campaign,
            branch=branch,
            candidates=[
                Candidate(participant=p, failures=self.failures(p, campaign)) for p in found
            ],
            page=page,
            pages=pages,
            total=total,
        )

    # Helpers.

    def _manages(self, actor: Actor) -> bool:
        return actor.configured_admin or bool(self._access.scopes(actor, Action.MANAGE_CAMPAIGN))

    def _nominate_paths(self, actor: Actor) -> list[str]:
        return [grant.unit_path for grant in self._access.scopes(actor, Action.NOMINATE)]

    def _nominates_in(self, actor: Actor, campaign: Campaign) -> bool:
        """Whether some unit where the actor may nominate overlaps the campaign's scope."""
        if actor.configured_admin and Role.ADMIN in PERMISSIONS[Action.NOMINATE]:
            return True
        return any(
            path.startswith(campaign.scope_path) or campaign.scope_path.startswith(path)
            for path in self._nominate_paths(actor)
        )

    async def _unit_of(self, unit_id: int | None) -> OrgUnit | None:
        return await self._store.org_units.get(unit_id=unit_id) if unit_id is not None else None


def reminder_target(campaign_id: int) -> str:
    """What the campaign's reminders (its opening notice, its closing reminder) are about."""
    return f"campaign:{campaign_id}"
