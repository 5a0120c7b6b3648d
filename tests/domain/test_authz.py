"""The one authorisation rule: roles, subtrees, and the configured admins."""

from __future__ import annotations

import pytest

from bot.domain.authz import PERMISSIONS, Action, Actor, Grant, Role, decide, role_fits_unit
from bot.domain.models import OrgKind

DISTRICT = "/1/"
STREET = "/1/2/"
BRANCH = "/1/2/3/"
SIBLING_BRANCH = "/1/2/4/"
OTHER_STREET_BRANCH = "/1/5/6/"


def _actor(*grants: tuple[Role, str], admin: bool = False) -> Actor:
    return Actor(
        telegram_user_id=7,
        grants=tuple(
            Grant(role=role, unit_id=int(path.strip("/").split("/")[-1]), unit_path=path)
            for role, path in grants
        ),
        configured_admin=admin,
    )


MEMBER = _actor()
BRANCH_SECRETARY = _actor((Role.BRANCH_SECRETARY, BRANCH))
STREET_CADRE = _actor((Role.COMMITTEE_CADRE, STREET))
DISTRICT_ADMIN = _actor((Role.ADMIN, DISTRICT))
CONFIGURED_ADMIN = _actor(admin=True)


@pytest.mark.parametrize("action", list(Action))
def test_a_member_may_do_no_cadre_action_anywhere(action):
    for target in (DISTRICT, STREET, BRANCH):
        decision = decide(MEMBER, action, target_path=target)
        assert decision.allowed is False
        assert decision.reason == "not a cadre"


@pytest.mark.parametrize("action", list(Action))
def test_a_branch_secretary_may_not_act_on_a_sibling_branch(action):
    assert decide(BRANCH_SECRETARY, action, target_path=SIBLING_BRANCH).allowed is False


@pytest.mark.parametrize("action", list(Action))
def test_a_cadre_of_a_child_unit_may_not_act_on_its_parent(action):
    assert decide(BRANCH_SECRETARY, action, target_path=STREET).allowed is False
    assert decide(STREET_CADRE, action, target_path=DISTRICT).allowed is False


@pytest.mark.parametrize("action", list(Action))
def test_a_street_cadre_may_not_act_in_another_street(action):
    assert decide(STREET_CADRE, action, target_path=OTHER_STREET_BRANCH).allowed is False


@pytest.mark.parametrize("action", list(Action))
def test_roles_act_within_their_subtree_exactly_as_the_permission_table_says(action):
    allowed = PERMISSIONS[action]
    assert decide(BRANCH_SECRETARY, action, target_path=BRANCH).allowed is (
        Role.BRANCH_SECRETARY in allowed
    )
    assert decide(STREET_CADRE, action, target_path=BRANCH).allowed is (
        Role.COMMITTEE_CADRE in allowed
    )
    assert decide(DISTRICT_ADMIN, action, target_path=OTHER_STREET_BRANCH).allowed is (
        Role.ADMIN in allowed
    )


@pytest.mark.parametrize("action", list(Action))
def test_configured_admins_may_do_every_admin_action_everywhere(action):
    decision = decide(CONFIGURED_ADMIN, action, target_path=OTHER_STREET_BRANCH)
    assert decision.allowed is (Role.ADMIN in PERMISSIONS[action])


def test_only_admins_invite_remove_import_and_read_the_audit_log():
    for action in (Action.INVITE_CADRE, Action.REMOVE_CADRE, Action.IMPORT_DATA, Action.VIEW_AUDIT):
        assert PERMISSIONS[action] == {Role.ADMIN}


def test_a_path_prefix_that_is_not_an_ancestor_does_not_count():
    # Unit 1 is not an ancestor of unit 12: paths end with a slash so '/1/' never matches '/12/'.
    actor = _actor((Role.BRANCH_SECRETARY, "/1/"))
    assert decide(actor, Action.VIEW_ROSTER, target_path="/12/").allowed is False


def test_roles_fit_the_kind_of_unit_they_are_given_on():
    assert role_fits_unit(Role.BRANCH_SECRETARY, OrgKind.BRANCH)
    assert not role_fits_unit(Role.BRANCH_SECRETARY, OrgKind.STREET)
    assert role_fits_unit(Role.COMMITTEE_CADRE, OrgKind.COMMITTEE)
    assert not role_fits_unit(Role.ADMIN, OrgKind.BRANCH)
