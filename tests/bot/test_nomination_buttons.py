"""The buttons of 推优 and honours: the data already in people's chats and in the outbox is read
into the typed classes and packed back to the same string; forged data is no button."""

from __future__ import annotations

import pytest

from bot.domain.nominations.application import FormStep, NewTarget, RevisionTarget
from bot.domain.nominations.campaigns import CampaignKind
from bot.domain.nominations.forms import Field, Setting
from handlers.kit.buttons import parse
from handlers.nominations.buttons import (
    ApplyToCampaign,
    CampaignCheck,
    CampaignList,
    CampaignOpen,
    CampaignPartyDate,
    FormAbort,
    FormClear,
    FormDone,
    FormKeepReason,
    FormReopen,
    FormSubmit,
    MeetingAbort,
    MeetingAgain,
    MeetingConfirm,
    MeetingPick,
    NewCampaignAbort,
    NewCampaignConfirm,
    NewCampaignEditMenu,
    NewCampaignField,
    NewCampaignHonour,
    NewCampaignKind,
    NewCampaignLevels,
    NewCampaignOpen,
    NewCampaignPick,
    NewCampaignRules,
    NewCampaignRulesDone,
    NewCampaignSetting,
    NewCampaignSummary,
    NominateAction,
    NominateBranch,
    NominateBranches,
    NominateButton,
    NominateCampaign,
    NominatePick,
    NominationExportButton,
    NominationList,
    NominationObject,
    NominationReviewButton,
    NominationView,
    NominationWithdraw,
    NominationWithdrawConfirmed,
    ObjectionDismiss,
    ObjectionUphold,
    OfferedHonour,
    ReviewAction,
    ReviewApprove,
    ReviewBack,
    ReviewFiles,
    ReviewList,
    ReviewOpen,
    ReviewReject,
    ReviewReturn,
    ReviseNomination,
)

N = "a1b2c3"

# The packed form of every button as the handlers made it before the typed classes.
SENT_BEFORE = [
    ("ap:apply:5:0", ApplyToCampaign(campaign_id=5)),
    ("ap:revise:7:3", ReviseNomination(nomination_id=7, version=3)),
    ("nm:view:7:0", NominationView(nomination_id=7)),
    ("nm:list:0:0", NominationList()),
    ("nm:wd:7:3", NominationWithdraw(nomination_id=7, version=3)),
    ("nm:wdok:7:3", NominationWithdrawConfirmed(nomination_id=7, version=3)),
    ("nm:obj:7:0", NominationObject(nomination_id=7)),
    ("cp:l:0", CampaignList()),
    ("cp:o:5", CampaignOpen(campaign_id=5)),
    ("cp:c:5", CampaignCheck(campaign_id=5)),
    ("cp:p:5", CampaignPartyDate(campaign_id=5)),
    (f"cw:{N}:k:activist", NewCampaignKind(nonce=N, kind=CampaignKind.ACTIVIST)),
    (f"cw:{N}:h:may_fourth", NewCampaignHonour(nonce=N, honour=OfferedHonour.MAY_FOURTH)),
    (f"cw:{N}:o:12.0", NewCampaignOpen(nonce=N, level=(12, 0))),
    (f"cw:{N}:p:12", NewCampaignPick(nonce=N, unit_id=12)),
    (f"cw:{N}:s:age", NewCampaignSetting(nonce=N, setting=Setting.AGE)),
    (f"cw:{N}:lv:2", NewCampaignLevels(nonce=N, index=2)),
    (f"cw:{N}:r:-", NewCampaignRules(nonce=N)),
    (f"cw:{N}:rd:-", NewCampaignRulesDone(nonce=N)),
    (f"cw:{N}:ok:-", NewCampaignConfirm(nonce=N)),
    (f"cw:{N}:e:-", NewCampaignEditMenu(nonce=N)),
    (f"cw:{N}:f:title", NewCampaignField(nonce=N, field=Field.TITLE)),
    (f"cw:{N}:sum:-", NewCampaignSummary(nonce=N)),
    (f"cw:{N}:x:-", NewCampaignAbort(nonce=N)),
    (f"af:{N}:kr:-", FormKeepReason(nonce=N)),
    (f"af:{N}:d:-", FormDone(nonce=N)),
    (f"af:{N}:cl:-", FormClear(nonce=N)),
    (f"af:{N}:ok:c5.9", FormSubmit(nonce=N, target=NewTarget(campaign_id=5, member_id=9))),
    (f"af:{N}:ok:n12", FormSubmit(nonce=N, target=RevisionTarget(nomination_id=12))),
    (f"af:{N}:re:attachments", FormReopen(nonce=N, step=FormStep.ATTACHMENTS)),
    (f"af:{N}:x:-", FormAbort(nonce=N)),
    ("cn:c:5:0:0:0", NominateCampaign(campaign_id=5)),
    ("cn:b:5:0:0:1", NominateBranches(campaign_id=5, page=1)),
    ("cn:m:5:12:0:2", NominateBranch(campaign_id=5, unit_id=12, page=2)),
    ("cn:p:5:12:40:2", NominatePick(campaign_id=5, unit_id=12, member_id=40, page=2)),
    ("nr:l:0:0:1", ReviewList(page=1)),
    ("nr:o:7:0:1", ReviewOpen(nomination_id=7, page=1)),
    ("nr:ok:7:3:1", ReviewApprove(nomination_id=7, version=3, page=1)),
    ("nr:rt:7:3:1", ReviewReturn(nomination_id=7, version=3, page=1)),
    ("nr:no:7:3:1", ReviewReject(nomination_id=7, version=3, page=1)),
    ("nr:f:7:0:0", ReviewFiles(nomination_id=7)),
    ("nr:b:7:0:0", ReviewBack(nomination_id=7)),
    ("nx:5", NominationExportButton(campaign_id=5)),
    ("od:9:d", ObjectionDismiss(objection_id=9)),
    ("od:9:u", ObjectionUphold(objection_id=9)),
    ("mt:-:p:5.12", MeetingPick(campaign_branch=(5, 12))),
    (f"mt:{N}:ok:-", MeetingConfirm(nonce=N)),
    (f"mt:{N}:re:-", MeetingAgain(nonce=N)),
    (f"mt:{N}:x:-", MeetingAbort(nonce=N)),
]


@pytest.mark.parametrize(("data", "expected"), SENT_BEFORE)
def test_buttons_sent_before_the_typed_classes_are_read_and_packed_the_same(data, expected):
    pressed = parse(data)
    assert pressed == expected
    assert type(pressed) is type(expected)
    assert expected.pack() == data


def test_a_family_base_still_packs_any_of_its_buttons():
    # The daily digest (handlers/admin) and some tests build the base with its action.
    assert NominationReviewButton(action=ReviewAction.LIST).pack() == "nr:l:0:0:0"
    assert type(parse(NominationReviewButton(action=ReviewAction.LIST).pack())) is ReviewList
    forged = NominateButton(action=NominateAction.BRANCH, campaign_id=5, unit_id=12).pack()
    assert parse(forged) == NominateBranch(campaign_id=5, unit_id=12)


def test_the_meeting_button_names_its_campaign_and_branch():
    pick = parse("mt:-:p:5.12")
    assert isinstance(pick, MeetingPick)
    assert (pick.campaign_id, pick.branch_id) == (5, 12)


@pytest.mark.parametrize(
    "data",
    [
        "ap:apply:x:0",
        "ap:join:5:0",
        "nm:view:-1:0",
        "cp:z:5",
        f"cp:o:{10**30}",
        f"cw:{N}:k:party",
        f"cw:{N}:h:nobel",
        f"cw:{N}:o:1.2.3",
        f"cw:{N}:p:abc",
        f"cw:{N}:s:color",
        f"cw:{N}:lv:-1",
        f"cw:{N}:f:nothing",
        f"cw:{N}:ok:now",
        "cw:NOT-HEX:ok:-",
        f"af:{N}:ok:zzz",
        f"af:{N}:ok:c5",
        f"af:{N}:re:everything",
        "cn:p:5:12:40",
        "nr:ok:7:3:0:9",
        "od:9:maybe",
        "mt:-:p:5",
        "mt:-:p:5.x",
        f"mt:{N}:p:5.12",
        "mt:-:ok:-",
    ],
)
def test_forged_or_malformed_data_is_no_button(data):
    assert parse(data) is None
