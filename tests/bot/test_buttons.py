"""Button data: packed under 64 bytes, parsed back into typed fields, forged data refused, and
the wire format of buttons already in people's chats still read."""

from __future__ import annotations

from typing import ClassVar, Literal

import pytest

from bot.domain.membership.registration import Step
from bot.domain.models import MemberStatus
from handlers.kit.buttons import CallbackData, parse
from handlers.membership.buttons import (
    LanguageButton,
    ProfileEdit,
    RegButton,
    RegConfirm,
    RegField,
    RegOpen,
    RegPick,
    RegStatus,
)


@pytest.mark.parametrize(
    "button",
    [
        RegOpen(nonce="a1b2c3", level=(12, 3)),
        RegPick(nonce="a1b2c3", unit_id=7),
        RegStatus(nonce="a1b2c3", status=MemberStatus.YOUTH),
        RegField(nonce="a1b2c3", step=Step.BIRTH_DATE),
        RegConfirm(nonce="a1b2c3"),
        ProfileEdit(),
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
    ],
)
def test_buttons_sent_before_the_typed_classes_are_still_read(data, expected):
    assert parse(data) == expected


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


def test_a_press_is_parsed_once_however_many_handlers_look():
    data = RegPick(nonce="a1b2c3", unit_id=99).pack()
    assert parse(data) is parse(data)


def test_data_over_64_bytes_is_refused_when_packing():
    with pytest.raises(ValueError, match="64 bytes"):
        LanguageButton(language="团" * 30).pack()


def test_a_colon_cannot_smuggle_extra_fields():
    with pytest.raises(ValueError, match="cannot go into"):
        LanguageButton(language="zh:en").pack()


def test_two_classes_cannot_read_the_same_data():
    with pytest.raises(TypeError, match="would both read"):

        class AnotherPick(RegButton):
            action: Literal["pick"] = "pick"
            unit_id: int

    with pytest.raises(TypeError, match="would both read"):

        class AnotherLanguage(CallbackData):
            prefix: ClassVar[str] = "lang"
            language: str
