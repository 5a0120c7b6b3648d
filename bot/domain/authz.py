"""Who may do what, where: one function decides every cadre action.

A grant covers its org unit and everything below it (materialised paths make that a prefix
test). Admins named in the configuration cover the whole tree. Nothing here trusts button data:
callers pass the target unit as it is in the database at the moment of the action.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.models import OrgKind, Record
from bot.domain.nominations.campaigns import ReviewLevel


class Role(StrEnum):
    BRANCH_SECRETARY = "branch_secretary"
    COMMITTEE_CADRE = "committee_cadre"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW_ROSTER = "view_roster"
    CONFIRM_MEMBER = "confirm_member"
    DECIDE_TRANSFER = "decide_transfer"
    LIST_CADRES = "list_cadres"
    INVITE_CADRE = "invite_cadre"
    REMOVE_CADRE = "remove_cadre"
    IMPORT_DATA = "import_data"
    VIEW_AUDIT = "view_audit"
    BROADCAST = "broadcast"
    MANAGE_TRAINING = "manage_training"
    MANAGE_CAMPAIGN = "manage_campaign"
    NOMINATE = "nominate"
    REVIEW_NOMINATION = "review_nomination"
    EXPORT_NOMINATIONS = "export_nominations"
    VIEW_STATS = "view_stats"
    EXPORT_DATA = "export_data"


_CADRES = frozenset(Role)
_COMMITTEE_UP = frozenset({Role.COMMITTEE_CADRE, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_ROSTER: _CADRES,
    Action.CONFIRM_MEMBER: _CADRES,
    Action.DECIDE_TRANSFER: _CADRES,
    Action.LIST_CADRES: _COMMITTEE_UP,
    Action.INVITE_CADRE: _ADMIN,
    Action.REMOVE_CADRE: _ADMIN,
    Action.IMPORT_DATA: _ADMIN,
    Action.VIEW_AUDIT: _ADMIN,
    Action.BROADCAST: _CADRES,
    Action.MANAGE_TRAINING: _CADRES,
    Action.MANAGE_CAMPAIGN: _ADMIN,
    Action.NOMINATE: _CADRES,
    Action.REVIEW_NOMINATION: _CADRES,
    Action.EXPORT_NOMINATIONS: _CADRES,
    Action.VIEW_STATS: _CADRES,
    Action.EXPORT_DATA: _CADRES,
}

# The unit kinds each role is given on: a branch secretary leads a branch, and so on.
ROLE_UNIT_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.BRANCH_SECRETARY: frozenset({OrgKind.BRANCH}),
    Role.COMMITTEE_CADRE: frozenset({OrgKind.STREET, OrgKind.COMMITTEE}),
    Role.ADMIN: frozenset({OrgKind.DISTRICT}),
}


class Grant(Record):
    """One role on one unit, with the unit's path for scope checks."""

    role: Role
    unit_id: int
    unit_path: str

    def covers(self, target_path: str) -> bool:
        return target_path.startswith(self.unit_path)


class Actor(Record):
    """Whoever is acting, with every role they hold now."""

    telegram_user_id: int
    grants: tuple[Grant, ...] = ()
    configured_admin: bool = False

    @property
    def is_cadre(self) -> bool:
        return self.configured_admin or bool(self.grants)

    def roles(self) -> set[Role]:
        found = {grant.role for grant in self.grants}
        if self.configured_admin:
            found.add(Role.ADMIN)
        return found

    def scope_paths(self, action: Action) -> list[str]:
        """The roots of the subtrees this actor may do `action` in ('/' for the whole tree):
        only the grants whose role allows it, not every grant the person holds."""
        allowed = PERMISSIONS[action]
        if self.configured_admin and Role.ADMIN in allowed:
            return ["/"]
        return sorted({grant.unit_path for grant in self.grants if grant.role in allowed})


class Decision(Record):
    allowed: bool
    reason: str


def decide(actor: Actor, action: Action, *, target_path: str) -> Decision:
    """Whether `actor` may perform `action` on the unit at `target_path` (or inside it)."""
    allowed_roles = PERMISSIONS[action]
    if actor.configured_admin and Role.ADMIN in allowed_roles:
        return Decision(allowed=True, reason="configured admin")
    for grant in actor.grants:
        if grant.role in allowed_roles and grant.covers(target_path):
            return Decision(allowed=True, reason=f"{grant.role} of unit {grant.unit_id}")
    if not actor.is_cadre:
        return Decision(allowed=False, reason="not a cadre")
    if any(grant.covers(target_path) for grant in actor.grants):
        return Decision(allowed=False, reason=f"role does not allow {action}")
    return Decision(allowed=False, reason="target outside the actor's units")


def role_fits_unit(role: Role, kind: OrgKind) -> bool:
    """A branch secretary is appointed to a branch, a committee cadre to a street or committee."""
    return kind in ROLE_UNIT_KINDS[role]


# The role that decides a nomination at each review level (admins decide at every level).
LEVEL_ROLES: dict[ReviewLevel, Role] = {
    ReviewLevel.BRANCH: Role.BRANCH_SECRETARY,
    ReviewLevel.COMMITTEE: Role.COMMITTEE_CADRE,
    ReviewLevel.DISTRICT: Role.ADMIN,
}


def may_review(
    actor: Actor, *, level: ReviewLevel, branch_path: str, nominee_user_id: int | None
) -> bool:
    """Whether `actor` decides at `level` on a nomination of the branch at `branch_path`.

    The branch secretary decides for the branch, a committee cadre above the branch for the
    committee level, the district for the district level; configured admins and district
    grants may decide at any level. Nobody decides on their own nomination."""
    if nominee_user_id is not None and actor.telegram_user_id == nominee_user_id:
        return False
    if actor.configured_admin:
        return True
    wanted = LEVEL_ROLES[level]
    for grant in actor.grants:
        if not grant.covers(branch_path):
            continue
        if grant.role is Role.ADMIN or grant.role is wanted:
            return True
    return False
