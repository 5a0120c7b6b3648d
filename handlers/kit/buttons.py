"""Button data as small typed classes packed into Telegram's 64-byte callback_data; each journey's
classes live in its package's `buttons.py`."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

MAX_BYTES = 64


class CallbackData(BaseModel):
    """`prefix:field:field...`; every field is re-checked by the service when pressed."""

    model_config = ConfigDict(frozen=True)
    prefix: ClassVar[str]

    def pack(self) -> str:
        values = [str(getattr(self, name)) for name in type(self).model_fields]
        for value in values:
            if ":" in value:
                raise ValueError(f"{value!r} cannot go into callback data")
        packed = ":".join([self.prefix, *values])
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def parse(cls, data: str) -> Self:
        prefix, *values = data.split(":")
        names = list(cls.model_fields)
        if prefix != cls.prefix or len(values) != len(names):
            raise ValueError(f"not {cls.__name__} data: {data!r}")
        return cls.model_validate(dict(zip(names, values, strict=True)))

    @classmethod
    def matches(cls, data: object) -> bool:
        """Pattern for CallbackQueryHandler: True for well-formed data of this class."""
        if not isinstance(data, str):
            return False
        try:
            cls.parse(data)
        except (ValueError, ValidationError):
            return False
        return True

    @classmethod
    def on(cls, *actions: StrEnum | str, **fields: str) -> Callable[[object], bool]:
        """Pattern for CallbackQueryHandler: well-formed data of this class whose `action` is
        one of `actions` and whose other named fields hold the values given."""

        def matches(data: object) -> bool:
            if not cls.matches(data):
                return False
            pressed = cls.parse(str(data))
            return getattr(pressed, "action", None) in actions and all(
                getattr(pressed, name) == value for name, value in fields.items()
            )

        return matches
