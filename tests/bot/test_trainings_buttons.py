"""The trainings' buttons: every kind read back from the data buttons already in people's chats
(and in the outbox) carry, packed again to the same string, and forged data refused."""

from __future__ import annotations

import pytest

from bot.domain.trainings import Field
from handlers.kit.buttons import CallbackData, parse
from handlers.trainings.buttons import (
    TrainingAccept,
    TrainingAdminButton,
    TrainingAdminList,
    TrainingAdminOpen,
    TrainingAdmit,
    TrainingButton,
    TrainingCalendar,
    TrainingCancel,
    TrainingCancelConfirmed,
    TrainingDecline,
    TrainingEdit,
    TrainingLeave,
    TrainingLeaveConfirmed,
    TrainingList,
    TrainingMine,
    TrainingOpen,
    TrainingQr,
    TrainingRoster,
    TrainingSignUp,
    TrainingSignUpAnyway,
    TrainingWizardButton,
    WizardAbort,
    WizardEditMenu,
    WizardField,
    WizardOpen,
    WizardPick,
    WizardPublish,
    WizardSkip,
    WizardSummary,
)

WIRE: list[tuple[str, CallbackData]] = [
    ("trn:l:0:2", TrainingList(page=2)),
    ("trn:m:0:0", TrainingMine()),
    ("trn:o:12:3", TrainingOpen(training_id=12, page=3)),
    ("trn:s:12:0", TrainingSignUp(training_id=12)),
    ("trn:sa:12:1", TrainingSignUpAnyway(training_id=12, page=1)),
    ("trn:c:12:0", TrainingLeave(training_id=12)),
    ("trn:cc:12:0", TrainingLeaveConfirmed(training_id=12)),
    ("trn:a:12:0", TrainingAccept(training_id=12)),
    ("trn:d:12:0", TrainingDecline(training_id=12)),
    ("trn:i:12:4", TrainingCalendar(training_id=12, page=4)),
    ("trm:l:0:0:1", TrainingAdminList(page=1)),
    ("trm:o:12:0:0", TrainingAdminOpen(training_id=12)),
    ("trm:x:12:0:0", TrainingRoster(training_id=12)),
    ("trm:q:12:0:0", TrainingQr(training_id=12)),
    ("trm:e:12:0:0", TrainingEdit(training_id=12)),
    ("trm:c:12:0:0", TrainingCancel(training_id=12)),
    ("trm:cc:12:0:0", TrainingCancelConfirmed(training_id=12)),
    ("trm:w:12:345:0", TrainingAdmit(training_id=12, member_id=345)),
    ("trw:a1b2c3:skip:-", WizardSkip(nonce="a1b2c3")),
    ("trw:a1b2c3:open:0.0", WizardOpen(nonce="a1b2c3", level=(0, 0))),
    ("trw:a1b2c3:open:7.2", WizardOpen(nonce="a1b2c3", level=(7, 2))),
    ("trw:a1b2c3:pick:7", WizardPick(nonce="a1b2c3", unit_id=7)),
    ("trw:a1b2c3:ok:-", WizardPublish(nonce="a1b2c3")),
    ("trw:a1b2c3:edit:-", WizardEditMenu(nonce="a1b2c3")),
    ("trw:a1b2c3:field:starts_at", WizardField(nonce="a1b2c3", field=Field.STARTS_AT)),
    ("trw:a1b2c3:sum:-", WizardSummary(nonce="a1b2c3")),
    ("trw:a1b2c3:x:-", WizardAbort(nonce="a1b2c3")),
]


@pytest.mark.parametrize(("data", "button"), WIRE)
def test_buttons_already_in_chats_are_read_into_their_class_and_packed_the_same(data, button):
    assert parse(data) == button
    assert type(parse(data)) is type(button)
    assert button.pack() == data


@pytest.mark.parametrize(
    "data",
    [
        "trn:z:12:0",
        "trn:o:abc:0",
        "trn:o:-1:0",
        f"trn:o:{10**30}:0",
        "trn:o:12",
        "trn:o:12:0:0",
        "trn:m:5:0",
        "trn:l:5:0",
        "trm:o:12:9:0",
        "trm:w:12:x:0",
        "trw:a1b2c3:open:1.2.3",
        "trw:a1b2c3:pick:abc",
        "trw:a1b2c3:field:colour",
        "trw:a1b2c3:ok:1",
        "trw:not-hex:ok:-",
        "trw:a1b2c3:pick:" + "9" * 5000,
    ],
)
def test_forged_training_data_is_no_button(data):
    assert parse(data) is None
    for family in (TrainingButton, TrainingAdminButton, TrainingWizardButton):
        assert family.matches(data) is False
