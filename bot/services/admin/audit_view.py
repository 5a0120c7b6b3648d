"""The admin's view of the audit log: pages of entries, all of them, one person's or one unit's."""

from __future__ import annotations

import re

from bot.domain.admin.audit import (
    PAGE_SIZE,
    AuditFilter,
    AuditPage,
    AuditScope,
    AuditSubject,
    AuditView,
    PersonFilter,
    UnitFilter,
)
from bot.domain.authz import Action
from bot.domain.validation import InvalidInput
from bot.services.errors import StaleButton
from bot.services.orgs import OrgLevel
from bot.services.shared import UseCase
from storage.database import NotFound

# Telegram user ids are positive integers well below 2**52.
_USER_ID = re.compile(r"[0-9]{1,15}")


class NoSuchPerson(InvalidInput):
    """No member record has the name the admin typed."""

    def __init__(self, name: str) -> None:
        super().__init__("audit.no_such_person", {"name": name})


class AuditViewService(UseCase):
    async def authorise(self, telegram_user_id: int) -> None:
        """Refuses (and audits) anyone who may not read the log; every screen asks again."""
        await self._access.require_any(telegram_user_id, Action.VIEW_AUDIT)

    async def find_person(self, telegram_user_id: int, *, text: str) -> AuditView:
        """The view of one person, typed as a Telegram user id or as a member's full name."""
        await self.authorise(telegram_user_id)
        typed = " ".join(text.split())
        if _USER_ID.fullmatch(typed):
            return AuditView(scope=AuditScope.USER, key=int(typed))
        try:
            found = await self._store.audit.people_named(name=typed)
        except NotFound:
            raise NoSuchPerson(typed) from None
        return AuditView(scope=AuditScope.NAMESAKES, key=found[0].member_id)

    async def unit_level(
        self, telegram_user_id: int, *, parent_id: int | None, page: int = 0
    ) -> tuple[OrgLevel, list[str]]:
        """A level of the org tree to choose the unit to filter by, and the names down to it."""
        await self.authorise(telegram_user_id)
        try:
            level = await self._orgs.level(parent_id=parent_id, page=page)
        except NotFound:
            raise StaleButton(f"unit {parent_id} is unknown") from None
        path = await self._orgs.path_names(unit_id=level.parent.id) if level.parent else []
        return level, path

    async def page(self, telegram_user_id: int, *, view: AuditView, page: int = 0) -> AuditPage:
        """One page of the view; authorised again on every call, whatever the button said."""
        if view.scope is AuditScope.UNIT:
            # Also refuses (and audits) a unit id that does not exist.
            await self._access.require(telegram_user_id, Action.VIEW_AUDIT, unit_id=view.key)
        else:
            await self.authorise(telegram_user_id)
        where, subject = await self._resolve(view)
        total = await self._store.audit.count(where=where)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        lines = await self._store.audit.page(where=where, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        return AuditPage(
            view=view, subject=subject, lines=lines, page=page, pages=pages, total=total
        )

    async def _resolve(self, view: AuditView) -> tuple[AuditFilter, AuditSubject]:
        """The repository filter of a view, looked up now: names and units may have changed."""
        if view.scope is AuditScope.USER:
            name = await self._name_of(view.key)
            return PersonFilter(user_ids=(view.key,)), AuditSubject(person_name=name)
        if view.scope is AuditScope.NAMESAKES:
            try:
                found = await self._store.audit.namesakes(member_id=view.key)
            except NotFound:
                raise StaleButton(f"member {view.key} is unknown") from None
            where = PersonFilter(
                user_ids=tuple(n.telegram_user_id for n in found if n.telegram_user_id is not None),
                member_ids=tuple(n.member_id for n in found),
            )
            return where, AuditSubject(person_name=found[0].name, namesakes=len(found))
        if view.scope is AuditScope.UNIT:
            unit = await self._orgs.get(unit_id=view.key)
            path = await self._orgs.path_names(unit_id=unit.id)
            return UnitFilter(path=unit.path), AuditSubject(unit_path=path)
        return None, AuditSubject()

    async def _name_of(self, telegram_user_id: int) -> str | None:
        member = await self._member_or_none(telegram_user_id)
        return member.name if member is not None else None
