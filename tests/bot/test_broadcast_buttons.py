"""The broadcast journey's buttons: each packs into its typed class and back, the data of
buttons already in people's chats (`bw:…`, `bc:…`) is still read, and forged data is no
button."""

from __future__ import annotations

import pytest

from bot.domain.broadcasts import ReviewFilter, StatusFilter, Step
from handlers.broadcasts.buttons import (
    BcCancel,
    BcPage,
    BcPause,
    BcRefresh,
    BcResume,
    BroadcastButton,
    BroadcastWizardButton,
    BwAbort,
    BwBack,
    BwConfirm,
    BwLater,
    BwNext,
    BwNow,
    BwOpen,
    BwReview,
    BwStatus,
    BwUnit,
)
from handlers.kit.buttons import parse

# What the handlers packed before the typed classes, as it stands in chats today.
WIRE = [
    ("bw:a1b2c3:u:12", BwUnit(nonce="a1b2c3", unit_id=12)),
    ("bw:a1b2c3:o:0.0", BwOpen(nonce="a1b2c3", level=(0, 0))),
    ("bw:a1b2c3:o:7.2", BwOpen(nonce="a1b2c3", level=(7, 2))),
    ("bw:a1b2c3:s:league", BwStatus(nonce="a1b2c3", status=StatusFilter.LEAGUE)),
    ("bw:a1b2c3:s:all", BwStatus(nonce="a1b2c3", status=StatusFilter.ALL)),
    ("bw:a1b2c3:r:pending", BwReview(nonce="a1b2c3", review=ReviewFilter.PENDING)),
    ("bw:a1b2c3:n:-", BwNext(nonce="a1b2c3")),
    ("bw:a1b2c3:now:-", BwNow(nonce="a1b2c3")),
    ("bw:a1b2c3:at:-", BwLater(nonce="a1b2c3")),
    ("bw:a1b2c3:b:audience", BwBack(nonce="a1b2c3", step=Step.AUDIENCE)),
    ("bw:a1b2c3:b:text", BwBack(nonce="a1b2c3", step=Step.TEXT)),
    ("bw:a1b2c3:b:preview", BwBack(nonce="a1b2c3", step=Step.PREVIEW)),
    ("bw:a1b2c3:ok:-", BwConfirm(nonce="a1b2c3")),
    ("bw:a1b2c3:x:-", BwAbort(nonce="a1b2c3")),
    ("bc:p:42:0", BcPause(broadcast_id=42)),
    ("bc:r:42:0", BcResume(broadcast_id=42)),
    ("bc:c:42:0", BcCancel(broadcast_id=42)),
    ("bc:f:42:0", BcRefresh(broadcast_id=42)),
    ("bc:g:0:3", BcPage(page=3)),
]


@pytest.mark.parametrize(("data", "button"), WIRE)
def test_buttons_already_in_chats_are_read_into_their_typed_class(data, button):
    assert parse(data) == button
    assert type(parse(data)) is type(button)


@pytest.mark.parametrize(("data", "button"), WIRE)
def test_each_button_packs_into_the_wire_format_it_always_had(data, button):
    assert button.pack() == data


@pytest.mark.parametrize(
    "data",
    [
        "bw:a1b2c3:u:abc",
        "bw:a1b2c3:u:-1",
        f"bw:a1b2c3:u:{10**30}",
        "bw:a1b2c3:o:1.2.3",
        "bw:a1b2c3:s:members",
        "bw:a1b2c3:r:maybe",
        "bw:a1b2c3:b:summary",
        "bw:a1b2c3:n:1",
        "bw:not-hex:n:-",
        "bw:a1b2c3:zz:-",
        "bw:a1b2c3:u:1:extra",
        "bc:p:abc:0",
        "bc:p:42:3",
        "bc:g:5:1",
        "bc:g:0:-1",
        "bc:z:1:0",
        "bc:p:" + "9" * 5000 + ":0",
    ],
)
def test_forged_broadcast_data_is_no_button(data):
    assert parse(data) is None
    assert BroadcastWizardButton.matches(data) is False
    assert BroadcastButton.matches(data) is False
