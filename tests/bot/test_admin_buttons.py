"""The cadres' buttons (/invite, /cadres, /pending, /members, /audit, /stats, /export, the digest)
keep the wire format of the buttons already in people's chats and in the outbox."""

from __future__ import annotations

import pytest

from bot.domain.admin.audit import AuditScope
from bot.domain.admin.exports import ExportKind
from bot.domain.admin.member_review import RejectReason
from bot.domain.authz import Role
from handlers.admin.buttons import (
    AuditOpen,
    AuditPageButton,
    AuditPick,
    AuditUnits,
    CadreList,
    CadreOpen,
    CadreRemove,
    CadreRemoveConfirmed,
    CadreRevoke,
    CadreRole,
    CadreUnit,
    ConfirmButton,
    ExportMembers,
    ExportMenu,
    ExportNominations,
    ExportTrainings,
    PendingPageButton,
    ReasonButton,
    RosterPageButton,
    SendBackButton,
    StatsButton,
)
from handlers.kit.buttons import CallbackData, parse

OLD_FORMAT: list[tuple[str, CallbackData]] = [
    ("cad:open:0.0", CadreOpen(level=(0, 0))),
    ("cad:open:12.3", CadreOpen(level=(12, 3))),
    ("cad:unit:7", CadreUnit(unit_id=7)),
    ("cad:role:12.branch_secretary", CadreRole(grant=(12, Role.BRANCH_SECRETARY))),
    ("cad:role:3.committee_cadre", CadreRole(grant=(3, Role.COMMITTEE_CADRE))),
    ("cad:revoke:Ab3_-xYz9Ab3_-xYz", CadreRevoke(token="Ab3_-xYz9Ab3_-xYz")),
    ("cad:list:2", CadreList(page=2)),
    ("cad:remove:41", CadreRemove(role_id=41)),
    ("cad:remove_ok:41", CadreRemoveConfirmed(role_id=41)),
    ("rev:roster:1:-", RosterPageButton(page=1)),
    ("rev:pending:0:-", PendingPageButton(page=0)),
    ("rev:ok:5:-", ConfirmButton(member_id=5)),
    ("rev:no:5:-", SendBackButton(member_id=5)),
    ("rev:why:5:duplicate", ReasonButton(member_id=5, reason=RejectReason.DUPLICATE)),
    ("rev:why:5:wrong_branch", ReasonButton(member_id=5, reason=RejectReason.WRONG_BRANCH)),
    ("aud:p:a:0:0", AuditPageButton()),
    ("aud:p:a:0:1", AuditPageButton(page=1)),
    ("aud:p:u:424242:0", AuditPageButton(scope=AuditScope.USER, key=424242)),
    ("aud:p:n:9:2", AuditPageButton(scope=AuditScope.NAMESAKES, key=9, page=2)),
    ("aud:p:o:12:0", AuditPageButton(scope=AuditScope.UNIT, key=12)),
    ("aud:u:a:0:0", AuditUnits()),
    ("aud:o:a:0:1", AuditOpen(parent_id=0, page=1)),
    ("aud:o:a:12:0", AuditOpen(parent_id=12, page=0)),
    ("aud:k:a:12:0", AuditPick(unit_id=12)),
    ("sx:12", StatsButton(unit_id=12)),
    ("xp:menu:12", ExportMenu(unit_id=12)),
    ("xp:m:12", ExportMembers(unit_id=12)),
    ("xp:t:12", ExportTrainings(unit_id=12)),
    ("xp:n:12", ExportNominations(unit_id=12)),
]


@pytest.mark.parametrize(("data", "button"), OLD_FORMAT)
def test_buttons_already_in_chats_are_read_into_their_typed_class(data, button):
    assert parse(data) == button
    assert type(parse(data)) is type(button)


@pytest.mark.parametrize(("data", "button"), OLD_FORMAT)
def test_the_typed_classes_pack_into_the_old_format(data, button):
    assert button.pack() == data


def test_an_open_button_without_a_page_opens_the_first():
    assert parse("cad:open:12") == CadreOpen(level=(12, 0))


def test_the_export_files_name_the_file_the_service_makes():
    assert [button.kind for button in (ExportMembers(unit_id=1), ExportTrainings(unit_id=1))] == [
        ExportKind.MEMBERS,
        ExportKind.TRAININGS,
    ]
    assert ExportNominations(unit_id=1).kind is ExportKind.NOMINATIONS


@pytest.mark.parametrize(
    "data",
    [
        "cad:open:abc.0",
        "cad:unit:-1",
        "cad:unit:" + "9" * 40,
        "cad:role:12",
        "cad:role:12.emperor",
        "cad:role:x.admin",
        "cad:revoke:a b",
        "cad:list:x",
        "cad:remove:x",
        "cad:nope:1",
        "rev:ok:x:-",
        "rev:ok:5:extra",
        "rev:why:5:because",
        "rev:pending:-1:-",
        "aud:p:z:0:0",
        "aud:u:a:7:0",
        "aud:u:u:0:0",
        "aud:k:a:99999999999999999999999:0",
        "aud:k:a:12:3",
        "sx:-3",
        "sx:12:1",
        "xp:q:12",
        "xp:m",
    ],
)
def test_forged_admin_data_is_a_stale_button(data):
    assert parse(data) is None
