"""The Bot API method table (methods.json) and decoding of request parameters against it.

Telegram takes parameters as a query string, a JSON body, a urlencoded form or a multipart form.
In forms every value is a string, and clients such as PTB JSON-encode the non-string ones
(reply_markup='{"inline_keyboard": ...}', chat_id='123'); the table's types say how to read them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sandbox.errors import ApiError, bad_request


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a method: its name, accepted types and whether it is required."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method and its parameters."""

    name: str
    params: Mapping[str, ParamSpec]


class MethodTable:
    """Every method of the Bot API version the sandbox follows."""

    def __init__(self, version: str, methods: Mapping[str, MethodSpec]) -> None:
        self.version = version
        self.methods = methods
        self._lowercase = {name.lower(): spec for name, spec in methods.items()}

    def lookup(self, name: str) -> MethodSpec | None:
        """Finds a method; Telegram matches method names case-insensitively."""
        return self._lowercase.get(name.lower())


@cache
def load_table() -> MethodTable:
    """Reads methods.json shipped with the package."""
    raw = json.loads(resources.files("sandbox").joinpath("methods.json").read_text("utf-8"))
    methods = {
        name: MethodSpec(
            name=name,
            params={
                p["name"]: ParamSpec(p["name"], tuple(p["types"]), bool(p["required"]))
                for p in method["params"]
            },
        )
        for name, method in raw["methods"].items()
    }
    return MethodTable(version=raw["version"], methods=methods)


@dataclass
class RawParams:
    """Parameters as they arrived: strings (query, forms), typed JSON values, and file parts."""

    text: dict[str, str]
    json: dict[str, Any]
    files: dict[str, UploadedFile]

    def names(self) -> set[str]:
        """Every parameter name present in the request."""
        return set(self.text) | set(self.json) | set(self.files)


def matches(value: Any, type_name: str) -> bool:
    """Whether a decoded JSON value fits one Bot API type name."""
    if type_name.startswith("Array of "):
        inner = type_name.removeprefix("Array of ")
        return isinstance(value, list) and all(matches(item, inner) for item in value)
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "InputFile":
        return isinstance(value, UploadedFile)
    # Every other type name is a Bot API object, sent as a JSON object.
    return isinstance(value, dict)


def _decode_value(spec: ParamSpec, value: Any, *, from_text: bool) -> Any:
    types = spec.types
    if any(matches(value, t) for t in types) and not (from_text and types != ("String",)):
        return value
    if isinstance(value, str):
        if types == ("String",):
            return value
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        else:
            if "Boolean" in types and isinstance(decoded, int) and decoded in (0, 1):
                decoded = bool(decoded)
            if any(matches(decoded, t) for t in types):
                return decoded
        if "String" in types:
            return value
    elif "String" in types and isinstance(value, int | float) and not isinstance(value, bool):
        # Telegram reads a number where it wants a string as that number's text.
        return str(value)
    elif "Boolean" in types and isinstance(value, int) and value in (0, 1):
        return bool(value)
    expected = " or ".join(types)
    raise bad_request(f'can\'t parse parameter "{spec.name}": expected {expected}')


def _attachment_names(raw: RawParams) -> set[str]:
    """File parts named by an attach://<name> reference in some other parameter."""
    blobs = list(raw.text.values()) + [json.dumps(v) for v in raw.json.values()]
    return {name for name in raw.files if any(f"attach://{name}" in blob for blob in blobs)}


def decode_params(method: MethodSpec, raw: RawParams) -> dict[str, Any]:
    """Checks names against the table and decodes every value to its JSON type.

    Unknown parameters are refused, which Telegram does not do: a misspelt parameter is a bot
    bug that Telegram would silently ignore. File parts referenced with attach:// are passed
    through under their own names.
    """
    attachments = _attachment_names(raw)
    for name in sorted(raw.names()):
        if name not in method.params and name not in attachments:
            raise bad_request(f'unknown parameter "{name}"')
    params: dict[str, Any] = {}
    for name, spec in method.params.items():
        if name in raw.files:
            if "InputFile" not in spec.types:
                raise bad_request(f'parameter "{name}" can\'t be a file')
            params[name] = raw.files[name]
        elif name in raw.json:
            if raw.json[name] is not None:
                params[name] = _decode_value(spec, raw.json[name], from_text=False)
        elif name in raw.text:
            params[name] = _decode_value(spec, raw.text[name], from_text=True)
        if spec.required and name not in params:
            raise bad_request(f'parameter "{name}" is required')
    for name in attachments:
        params[name] = raw.files[name]
    return params


def require_method(table: MethodTable, name: str) -> MethodSpec:
    """The method, or the 404 Telegram answers for an unknown one."""
    spec = table.lookup(name)
    if spec is None:
        raise ApiError(404, "Not Found")
    return spec
