"""What every trainings use-case looks up first: the training a button names, the member who
pressed it and their enrolment, and the training's page as that person sees it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.authz import Action, decide
from bot.domain.models import Member, OrgUnit
from bot.domain.training_views import TrainingView
from bot.domain.trainings import Enrolment, EnrolmentState, Training
from bot.services.shared import UseCase
from bot.services.trainings.errors import NotAMember, NotSignedUp, TrainingGone
from storage.database import NotFound


class Lookups(UseCase):
    def local(self, moment: datetime) -> str:
        """A moment as the committee's clock shows it, e.g. 2026-12-05 14:00."""
        return moment.astimezone(self._tz).strftime("%Y-%m-%d %H:%M")

    async def training(self, training_id: int) -> Training:
        """The training; TrainingGone when there is none (a forged or very old button)."""
        try:
            return await self._store.trainings.get(training_id=training_id)
        except NotFound:
            raise TrainingGone(f"training {training_id}") from None

    async def managed(self, telegram_user_id: int, training_id: int) -> Training:
        """The training, if the actor may manage trainings of its audience (audited if not)."""
        training = await self.training(training_id)
        await self._access.require(
            telegram_user_id, Action.MANAGE_TRAINING, unit_id=training.audience_unit_id
        )
        return training

    async def member(self, telegram_user_id: int) -> tuple[Member, OrgUnit]:
        """The member and their unit; NotAMember for a visitor or a member without one."""
        member = await self._member_or_none(telegram_user_id)
        if member is None or member.org_unit_id is None:
            raise NotAMember(f"{telegram_user_id} is not a member with a unit")
        return member, await self._store.org_units.get(unit_id=member.org_unit_id)

    async def enrolment_or_none(self, training_id: int, member_id: int) -> Enrolment | None:
        try:
            return await self._store.trainings.enrolment(
                training_id=training_id, member_id=member_id
            )
        except NotFound:
            return None

    async def enrolment(self, training_id: int, member_id: int) -> Enrolment:
        """The member's enrolment; NotSignedUp when they never signed up."""
        enrolment = await self.enrolment_or_none(training_id, member_id)
        if enrolment is None:
            raise NotSignedUp(f"member {member_id} in training {training_id}")
        return enrolment

    async def state_of(self, training_id: int, member_id: int) -> EnrolmentState | None:
        enrolment = await self.enrolment_or_none(training_id, member_id)
        return enrolment.state if enrolment is not None else None

    async def view(self, telegram_user_id: int, *, training_id: int) -> TrainingView:
        """The training's page for this person: figures, their enrolment, what they may do."""
        training = await self.training(training_id)
        member = await self._member_or_none(telegram_user_id)
        enrolment = None
        position = None
        in_audience = False
        if member is not None:
            if member.org_unit_id is not None:
                unit = await self._store.org_units.get(unit_id=member.org_unit_id)
                in_audience = training.open_to(unit.path)
            enrolment = await self.enrolment_or_none(training.id, member.id)
            if enrolment is not None and enrolment.state is EnrolmentState.WAITLISTED:
                position = await self._store.trainings.position(enrolment=enrolment)
        actor = await self._access.actor(telegram_user_id)
        may_manage = decide(
            actor, Action.MANAGE_TRAINING, target_path=training.audience_path
        ).allowed
        return TrainingView(
            training=training,
            counts=await self._store.trainings.counts(training_id=training.id),
            audience=await self._orgs.path_names(unit_id=training.audience_unit_id),
            enrolment=enrolment,
            position=position,
            registered=member is not None,
            in_audience=in_audience,
            may_manage=may_manage,
            now=self._clock.now(),
        )
