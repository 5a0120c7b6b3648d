"""Every button class of every journey, fed forged numbers: each is read as a stale button
(None) or as values SQLite can hold, never an exception."""

from __future__ import annotations

import itertools

import pytest

import handlers.admin.buttons
import handlers.broadcasts.buttons
import handlers.membership.buttons
import handlers.nominations.buttons
import handlers.trainings.buttons  # noqa: F401  (the imports register the classes)
from handlers.kit.buttons import CallbackData, parse

FORGED_VALUES = [str(10**30), "9" * 19, str(2**63), "-1", "1e400", "nan", "0x10", "", "１２"]


def _keys() -> list[tuple[str, str | None, int]]:
    return [
        (prefix, action, len(cls.model_fields))
        for (prefix, action), cls in CallbackData._registry.items()
    ]


def _ints(value: object) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, tuple | list):
        return [number for item in value for number in _ints(item)]
    return []


def test_the_registry_holds_every_journeys_buttons() -> None:
    prefixes = {prefix for prefix, _, _ in _keys()}
    assert len(prefixes) >= 20


@pytest.mark.parametrize(("prefix", "action", "fields"), _keys())
def test_forged_numbers_in_any_field_are_stale_or_fit_in_sqlite(
    prefix: str, action: str | None, fields: int
) -> None:
    position = CallbackData._action_at.get(prefix)
    for forged in FORGED_VALUES:
        for count in range(1, fields + 2):
            values = [forged] * count
            if position is not None and action is not None and position < count:
                values[position] = action
            for filler in itertools.product(("0", forged), repeat=min(count, 3)):
                tried = list(filler) + values[len(filler) :]
                if position is not None and action is not None and position < count:
                    tried[position] = action
                button = parse(":".join([prefix, *tried]))
                if button is None:
                    continue
                for number in _ints(list(button.model_dump().values())):
                    assert 0 <= number < 2**63, (prefix, tried, number)
