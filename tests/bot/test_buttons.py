"""Button data: packed under 64 bytes, parsed back, forged data refused."""

from __future__ import annotations

import pytest

from handlers.membership.buttons import LanguageButton, RegAction, RegButton


def test_button_data_round_trips():
    button = RegButton(nonce="a1b2c3", action=RegAction.OPEN, arg="12.3")
    assert RegButton.parse(button.pack()) == button


@pytest.mark.parametrize(
    "data",
    ["", "reg", "reg:a1:nope:1", "lang:zh", "reg:a:b:c:d", "prof:x", None, 5],
)
def test_forged_or_foreign_data_does_not_match(data):
    assert RegButton.matches(data) is False


def test_data_over_64_bytes_is_refused_when_packing():
    with pytest.raises(ValueError, match="64 bytes"):
        RegButton(nonce="n" * 60, action=RegAction.PICK, arg="1").pack()


def test_a_colon_cannot_smuggle_extra_fields():
    with pytest.raises(ValueError, match="cannot go into"):
        LanguageButton(language="zh:en").pack()
