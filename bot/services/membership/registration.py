"""The registration and profile-edit wizard as use-cases: each step loads, applies, stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.domain.membership import registration as rules
from bot.domain.membership.registration import Mode, RegistrationDraft, Step
from bot.domain.models import Member, MemberProfile, MemberStatus
from bot.domain.validation import InvalidInput
from bot.services import wizard as kit
from bot.services.errors import AlreadyRegistered, NoWizard, ProfileChangedMeanwhile, StaleButton
from bot.services.shared import Shared, UseCase
from bot.services.wizard import Chat
from storage.database import Conflict, NotFound

JOURNEY = "registration"

Wizard = kit.Wizard[RegistrationDraft, Step]


class RegistrationService(UseCase):
    def __init__(self, shared: Shared) -> None:
        super().__init__(shared)
        self.wizards = self._drafts(JOURNEY, RegistrationDraft, Step)

    def today(self) -> date:
        """The calendar date where the committee is, which is what ages are counted against."""
        return self._clock.now().astimezone(self._tz).date()

    async def start(self, chat: Chat) -> Wizard:
        """Resumes an open wizard, or starts registration for someone not yet a member."""
        resumed = await self.wizards.resumed(chat)
        if resumed is not None:
            return resumed
        member = await self.member_or_none(chat.user_id)
        if member is not None:
            raise AlreadyRegistered(member)
        return await self.wizards.start(chat, RegistrationDraft())

    async def start_edit(self, chat: Chat) -> Wizard:
        """Opens the member's profile as a draft at the summary, to change single fields."""
        member = await self.member_or_none(chat.user_id)
        if member is None:
            raise NoWizard("not registered")
        draft = RegistrationDraft.from_member(member)
        return await self.wizards.start(chat, draft, version=member.version)

    async def current(self, chat: Chat) -> Wizard:
        """The open wizard; NoWizard when there is none."""
        return await self.wizards.current(chat)

    async def member_or_none(self, telegram_user_id: int) -> Member | None:
        return await self._member_or_none(telegram_user_id)

    async def accept_consent(self, chat: Chat, *, nonce: str) -> Wizard:
        """Records consent to the privacy notice."""
        now = self._clock.now()
        return await self.wizards.apply(chat, nonce, lambda d: rules.accept_consent(d, now=now))

    async def answer_text(self, chat: Chat, text: str) -> Wizard:
        """Applies typed text to whichever text step is open; InvalidInput when it does not fit."""
        wizard = await self.current(chat)
        today = self.today()
        appliers: dict[Step, Callable[[RegistrationDraft], RegistrationDraft]] = {
            Step.NAME: lambda d: rules.set_name(d, text),
            Step.BIRTH_DATE: lambda d: rules.set_birth_date(d, text, today=today, ages=self._ages),
            Step.PHONE: lambda d: rules.set_phone(d, text),
            Step.JOIN_DATE: lambda d: rules.set_join_date(d, text, today=today),
        }
        applier = appliers.get(wizard.step)
        if applier is None:
            raise InvalidInput("registration.use_buttons", {})
        # A typed phone is taken alike whether or not it is on the roster (the answer must not
        # tell); it proves nothing, so only Telegram's shared contact claims a roster record.
        return await self.wizards.save(chat, wizard, applier(wizard.draft))

    async def share_contact(self, chat: Chat, *, phone: str, contact_user_id: int | None) -> Wizard:
        """Takes the phone number from a shared contact, which must be the member's own."""
        if contact_user_id != chat.user_id:
            raise InvalidInput("phone.not_own_contact", {})
        wizard = await self.current(chat)
        if wizard.step is not Step.PHONE:
            raise InvalidInput("registration.use_buttons", {})
        draft = rules.set_phone(wizard.draft, phone)
        roster = await self._unclaimed_roster(draft)
        if roster is not None and wizard.draft.mode is Mode.REGISTER:
            # Telegram vouches for a shared contact's number, so the roster record is theirs.
            draft = rules.prefill_from_roster(draft, roster)
        return await self.wizards.save(chat, wizard, draft)

    async def _unclaimed_roster(self, draft: RegistrationDraft) -> Member | None:
        if draft.phone is None:
            return None
        try:
            return await self._store.members.roster_by_phone(phone=draft.phone)
        except NotFound:
            return None

    async def choose_branch(self, chat: Chat, *, nonce: str, unit_id: int) -> Wizard:
        """Stores the chosen branch after checking that it exists and is a branch."""
        try:
            unit = await self._store.org_units.get(unit_id=unit_id)
        except NotFound:
            raise StaleButton(f"unit {unit_id} is gone") from None
        if not unit.is_branch:
            raise InvalidInput("branch.not_a_branch", {"name": unit.name})
        return await self.wizards.apply(
            chat, nonce, lambda d: rules.set_branch(d, unit.id), at=Step.BRANCH
        )

    async def choose_status(self, chat: Chat, *, nonce: str, status: MemberStatus) -> Wizard:
        """Stores 团员 or 青年."""
        return await self.wizards.apply(
            chat, nonce, lambda d: rules.set_status(d, status), at=Step.STATUS
        )

    async def reopen(self, chat: Chat, *, nonce: str, step: Step) -> Wizard:
        """Goes back from the summary to one field."""
        return await self.wizards.apply(chat, nonce, lambda d: rules.reopen(d, step))

    async def back_to_summary(self, chat: Chat, *, nonce: str) -> Wizard:
        """Leaves a reopened field unchanged; only possible when nothing is missing."""

        def leave(draft: RegistrationDraft) -> RegistrationDraft:
            unchanged = draft.model_copy(update={"editing": None})
            if not unchanged.is_complete():
                raise InvalidInput("registration.field_required", {})
            return unchanged

        return await self.wizards.apply(chat, nonce, leave)

    async def confirm(self, chat: Chat, *, nonce: str) -> Member:
        """Registers the member (or saves the edited profile) once, then closes the wizard."""
        wizard = await self.wizards.pressed(chat, nonce, at=Step.SUMMARY)
        draft = wizard.draft
        assert draft.consent_at is not None
        profile = MemberProfile.model_validate(draft.model_dump())
        now = self._clock.now()
        try:
            if draft.mode is Mode.REGISTER and draft.roster_member_id is not None:
                member = await self._store.members.link_roster(
                    member_id=draft.roster_member_id,
                    telegram_user_id=chat.user_id,
                    profile=profile,
                    consent_at=draft.consent_at,
                    now=now,
                )
            elif draft.mode is Mode.REGISTER:
                member = await self._store.members.register(
                    telegram_user_id=chat.user_id,
                    profile=profile,
                    consent_at=draft.consent_at,
                    now=now,
                )
            else:
                assert draft.member_id is not None and wizard.version is not None
                member = await self._store.members.update_profile(
                    member_id=draft.member_id,
                    expected_version=wizard.version,
                    profile=profile,
                    actor_user_id=chat.user_id,
                    now=now,
                )
        except Conflict:
            await self.cancel(chat)
            existing = await self.member_or_none(chat.user_id)
            if draft.mode is Mode.REGISTER and existing is not None:
                raise AlreadyRegistered(existing) from None
            raise ProfileChangedMeanwhile() from None
        await self.cancel(chat)
        return member

    async def cancel(self, chat: Chat) -> bool:
        """Drops the wizard and whatever it held; False when there was none."""
        return await self.wizards.finish(chat)
