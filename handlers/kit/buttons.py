"""Button data as small typed classes packed into Telegram's 64-byte callback_data.

A class names a prefix and its fields; `pack()` joins them with ':' (`tr:ok:-`), `parse()` reads
them back into typed values. Several classes may share a prefix when they differ in a fixed
`action` field (a `Literal`): each action is then its own class with its own typed fields, and
the wire format stays the one buttons already in people's chats (and messages still waiting in
the outbox) carry. Each journey's classes live in its package's `buttons.py`; the kit parses a
press once (`pressed`), and any data it cannot read is a stale button, never an exception.
"""

from __future__ import annotations

import functools
import typing
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError

MAX_BYTES = 64

# The placeholder of a button that carries nothing after its action (`reg:a1b2c3:yes:-`).
NoArg = Literal["-"]
# Ids and pages are bounded so that forged numbers never reach SQLite (whose integers stop at
# 2**63) nor build a page number past any real list.
Id = Annotated[int, Field(ge=0, lt=2**53)]
Page = Annotated[int, Field(ge=0, lt=10**6)]
# A wizard's run: the buttons of an earlier run of the same wizard are stale.
Nonce = Annotated[str, Field(pattern=r"^[0-9a-f]{1,16}$")]


def _level(value: object) -> object:
    if isinstance(value, str):
        parent, _, page = value.partition(".")
        return (parent, page or 0)
    return value


# A level of the org tree and a page of it, packed `parent.page`; 0 stands for the top.
Level = Annotated[
    tuple[Id, Page],
    BeforeValidator(_level),
    PlainSerializer(lambda level: f"{level[0]}.{level[1]}", return_type=str),
]


class CallbackData(BaseModel):
    """`prefix:field:field...`; every field is re-checked by the service when pressed."""

    model_config = ConfigDict(frozen=True)
    prefix: ClassVar[str]
    # (prefix, fixed action or None) -> class; filled as journeys define their buttons.
    _registry: ClassVar[dict[tuple[str, str | None], type[CallbackData]]] = {}
    _action_at: ClassVar[dict[str, int]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "prefix" not in cls.__dict__ and not _fixed_action(cls):
            return  # an abstract family base: its subclasses register
        action = _fixed_action(cls)
        key = (cls.prefix, action)
        if key in CallbackData._registry:
            other = CallbackData._registry[key].__name__
            raise TypeError(f"{cls.__name__} and {other} would both read {key}")
        CallbackData._registry[key] = cls
        if action is not None:
            CallbackData._action_at[cls.prefix] = list(cls.model_fields).index("action")

    def pack(self) -> str:
        values = [str(value) for value in self.model_dump(mode="json").values()]
        for value in values:
            if ":" in value:
                raise ValueError(f"{value!r} cannot go into callback data")
        packed = ":".join([self.prefix, *values])
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def parse(cls, data: str) -> Self:
        """This class's button from `data`; ValueError when it is not one."""
        pressed = parse(data)
        if not isinstance(pressed, cls):
            raise ValueError(f"not {cls.__name__} data: {data!r}")
        return pressed

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether `data` is a well-formed button of this class."""
        return isinstance(data, str) and isinstance(parse(data), cls)


def _fixed_action(cls: type[CallbackData]) -> str | None:
    """The value of a class's `action: Literal[...]` field, when it has one."""
    field = cls.model_fields.get("action")
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return None
    (value,) = typing.get_args(field.annotation)
    return str(value.value if isinstance(value, Enum) else value)


@functools.lru_cache(maxsize=4096)
def parse(data: str) -> CallbackData | None:
    """The typed button `data` packs, or None for data no journey's buttons read (forged, too
    long, from another version). Cached: a press is parsed once however many handlers look."""
    if len(data.encode()) > MAX_BYTES:
        return None
    prefix, *values = data.split(":")
    position = CallbackData._action_at.get(prefix)
    action = values[position] if position is not None and position < len(values) else None
    cls = CallbackData._registry.get((prefix, action))
    if cls is None:
        return None
    names = list(cls.model_fields)
    if len(values) != len(names):
        return None
    try:
        return cls.model_validate(dict(zip(names, values, strict=True)))
    except ValidationError:
        return None
