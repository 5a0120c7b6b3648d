"""Button data: packed under 64 bytes, parsed back into typed fields, forged data refused, and
the wire format of buttons already in people's chats still read."""

from __future__ import annotations

from typing import ClassVar, Literal

import pytest

from bot.domain.membership.registration import Step
from bot.domain.models import Language, MemberStatus
from handlers.kit.buttons import CallbackData, parse
from handlers.membership.buttons import (
    LanguageButton,
    PrivacyErase,
    PrivacyKeep,
    ProfileEdit,
    RegButton,
    RegConfirm,
    RegField,
    RegOpen,
    RegPick,
    RegStatus,
    TransferAbort,
    TransferApprove,
    TransferBackToDecision,
    TransferChooseAgain,
    TransferConfirm,
    TransferOpen,
    TransferPageButton,
    TransferPick,
    TransferReject,
    TransferSkipReason,
    TransferWithdraw,
)


class Note(CallbackData):
    """A button with free text, to see what packing refuses."""

    prefix: ClassVar[str] = "test-note"
    text: str


@pytest.mark.parametrize(
    "button",
    [
        RegOpen(nonce="a1b2c3", level=(12, 3)),
        RegPick(nonce="a1b2c3", unit_id=7),
        RegStatus(nonce="a1b2c3", status=MemberStatus.YOUTH),
        RegField(nonce="a1b2c3", step=Step.BIRTH_DATE),
        RegConfirm(nonce="a1b2c3"),
        ProfileEdit(),
        LanguageButton(language=Language.EN),
        TransferOpen(level=(0, 2)),
        TransferPick(unit_id=7),
        TransferWithdraw(transfer_id=3),
        TransferReject(transfer_id=3),
        TransferPageButton(page=1),
        PrivacyErase(member_id=5),
        PrivacyKeep(),
    ],
)
def test_button_data_round_trips_into_its_typed_class(button):
    assert parse(button.pack()) == button
    assert type(parse(button.pack())) is type(button)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("reg:a1b2c3:pick:12", RegPick(nonce="a1b2c3", unit_id=12)),
        ("reg:a1b2c3:open:12.0", RegOpen(nonce="a1b2c3", level=(12, 0))),
        ("reg:a1b2c3:st:youth", RegStatus(nonce="a1b2c3", status=MemberStatus.YOUTH)),
        ("reg:a1b2c3:field:phone", RegField(nonce="a1b2c3", step=Step.PHONE)),
        ("reg:a1b2c3:yes:-", RegConfirm(nonce="a1b2c3")),
        ("prof:edit", ProfileEdit()),
        ("lang:zh", LanguageButton(language=Language.ZH)),
        ("lang:en", LanguageButton(language=Language.EN)),
        ("tr:open:12.1", TransferOpen(level=(12, 1))),
        ("tr:open:0.0", TransferOpen(level=(0, 0))),
        ("tr:pick:12", TransferPick(unit_id=12)),
        ("tr:ok:12", TransferConfirm(unit_id=12)),
        ("tr:again:-", TransferChooseAgain()),
        ("tr:x:-", TransferAbort()),
        ("tr:wd:4", TransferWithdraw(transfer_id=4)),
        ("trd:4:ok", TransferApprove(transfer_id=4)),
        ("trd:4:no", TransferReject(transfer_id=4)),
        ("trd:4:skip", TransferSkipReason(transfer_id=4)),
        ("trd:4:back", TransferBackToDecision(transfer_id=4)),
        ("trp:2", TransferPageButton(page=2)),
        ("pv:erase:9", PrivacyErase(member_id=9)),
        ("pv:erase:0", PrivacyErase()),
        ("pv:keep:0", PrivacyKeep()),
    ],
)
def test_buttons_sent_before_the_typed_classes_are_still_read(data, expected):
    assert parse(data) == expected
    assert type(parse(data)) is type(expected)
    assert expected.pack() == data


@pytest.mark.parametrize(
    "data",
    [
        "",
        "reg",
        "reg:a1:nope:1",
        "reg:a1b2c3:pick:abc",
        "reg:a1b2c3:pick:-1",
        f"reg:a1b2c3:pick:{10**30}",
        "reg:a1b2c3:pick:" + "9" * 5000,
        "reg:not-hex:pick:1",
        "reg:a1b2c3:pick:1:extra",
        "reg:a1b2c3:open:1.2.3",
        "reg:a1b2c3:field:summary_of_nothing",
        "lang:zh:en",
        "prof:delete",
    ],
)
def test_forged_or_foreign_data_is_no_button(data):
    assert parse(data) is None
    assert RegButton.matches(data) is False


@pytest.mark.parametrize(
    "data",
    [
        "lang:fr",
        "tr:pick:abc",
        "tr:ok:-1",
        "tr:open:abc",
        "tr:open:-1.0",
        "tr:wd:1.5",
        "tr:again:x",
        "tr:move:1",
        f"trd:{10**30}:ok",
        "trd:4:maybe",
        "trd:ok:4",
        "trp:-1",
        "pv:erase:-1",
        "pv:keep:5",
        "pv:forget:0",
    ],
)
def test_forged_membership_data_is_no_button(data):
    assert parse(data) is None


def test_a_press_is_parsed_once_however_many_handlers_look():
    data = RegPick(nonce="a1b2c3", unit_id=99).pack()
    assert parse(data) is parse(data)


def test_data_over_64_bytes_is_refused_when_packing():
    with pytest.raises(ValueError, match="64 bytes"):
        Note(text="团" * 30).pack()


def test_a_colon_cannot_smuggle_extra_fields():
    with pytest.raises(ValueError, match="cannot go into"):
        Note(text="zh:en").pack()


def test_two_classes_cannot_read_the_same_data():
    with pytest.raises(TypeError, match="would both read"):

        class AnotherPick(RegButton):
            action: Literal["pick"] = "pick"
            unit_id: int

    with pytest.raises(TypeError, match="would both read"):

        class AnotherLanguage(CallbackData):
            prefix: ClassVar[str] = "lang"
            language: str
